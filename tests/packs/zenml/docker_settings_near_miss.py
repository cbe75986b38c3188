# ok: container_image_defined
# resource settings of a step: no image declared
from zenml import step
from zenml.config import ResourceSettings


@step(settings={"resources": ResourceSettings(cpu_count=2, memory="4GB")})
def train() -> None: ...
