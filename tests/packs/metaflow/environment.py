# expect: dev_environment_defined
# every step of the flow runs in the environment declared on it, pinned
from metaflow import FlowSpec, pypi_base, step


@pypi_base(packages={"openai": "1.82.1", "pillow": "11.2.1"}, python="3.11.9")
class TagPhotos(FlowSpec):
    @step
    def start(self):
        self.tags = []
        self.next(self.end)
