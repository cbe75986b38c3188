# expect: dev_environment_defined
from metaflow import FlowSpec, pypi, step


class Tag(FlowSpec):
    @pypi(packages={"openai": "1.82.1"}, python="3.11")
    @step
    def start(self):
        self.next(self.end)

    @step
    def end(self):
        pass
