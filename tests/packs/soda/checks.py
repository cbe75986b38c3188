# expect: data_validation_library_used
from soda.scan import Scan
scan = Scan()
scan.execute()
