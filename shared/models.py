"""The base of every input and output model: camelCase on the wire, snake_case in Python.

Pydantic only: domain modules build their inputs on it without depending on the HTTP layer.
"""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class ApiModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")
