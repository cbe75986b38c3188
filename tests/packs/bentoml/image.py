# expect: container_image_defined
# the image the Bento is built into, declared beside the service
import bentoml

image = bentoml.images.Image(python_version="3.11").requirements_file("requirements.txt")


@bentoml.service(image=image)
class Churn: ...
