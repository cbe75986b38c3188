# ok: infrastructure_as_code
# a Lambda handler that reads a CDK-exported name: no stack is declared here
import os

import aws_cdk  # noqa: F401 - imported for its types only

TABLE = os.environ["REGISTRY_TABLE"]
