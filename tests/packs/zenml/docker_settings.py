# expect: container_image_defined
# the image the pipeline's steps run in, declared for remote orchestrators
from zenml import pipeline
from zenml.config import DockerSettings

docker_settings = DockerSettings(requirements="requirements.txt", apt_packages=["libgomp1"])


@pipeline(settings={"docker": docker_settings})
def training_pipeline() -> None: ...
