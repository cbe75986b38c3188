# expect: data_validation_library_used
import pandera as pa
schema = pa.DataFrameSchema({"age": pa.Column(int, pa.Check.ge(0))})
