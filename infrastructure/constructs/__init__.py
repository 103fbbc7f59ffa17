"""One construct per concern; ``infrastructure.stack`` composes them and wires the grants between them."""

from infrastructure.constructs.api import Api
from infrastructure.constructs.data import Data
from infrastructure.constructs.events import Events
from infrastructure.constructs.functions import Functions
from infrastructure.constructs.identity import Identity
from infrastructure.constructs.imports import Imports
from infrastructure.constructs.notifications import Notifications
from infrastructure.constructs.observability import Observability
from infrastructure.constructs.schedules import ScheduledJobs
from infrastructure.constructs.web import Web
from infrastructure.constructs.webhooks import Webhooks
from infrastructure.constructs.workflows import Workflows

__all__ = [
    "Api",
    "Data",
    "Events",
    "Functions",
    "Identity",
    "Imports",
    "Notifications",
    "Observability",
    "ScheduledJobs",
    "Web",
    "Webhooks",
    "Workflows",
]
