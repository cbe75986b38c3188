# expect: drift_detection_used
# expect: prediction_logging_present
# the day's scored batch sent to Arize, which monitors the model's drift and performance
from arize.pandas.logger import Client
from arize.utils.types import Environments, ModelTypes, Schema

arize_client = Client(space_id=SPACE_ID, api_key=API_KEY)
schema = Schema(prediction_id_column_name="id", prediction_label_column_name="churn")
response = arize_client.log(
    dataframe=scored,
    schema=schema,
    model_id="churn",
    model_version="v3",
    model_type=ModelTypes.BINARY_CLASSIFICATION,
    environment=Environments.PRODUCTION,
)
