# ok: container_image_defined
# a function run on a ready-made image: nothing is built
import mlrun

project = mlrun.get_or_create_project("fraud", context="./")
project.set_function("src/train.py", name="train", kind="job", image="mlrun/mlrun")
