# expect: container_image_defined
# the project's image built from a base image and requirements
import mlrun

project = mlrun.get_or_create_project("fraud", context="./")
project.build_image(base_image="mlrun/mlrun", requirements=["lightgbm==4.3.0"])
