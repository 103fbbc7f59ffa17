"""One agency's Receivables Portal in one stack: the constructs of each concern, and the grants between them.

The grants live here, in one table-like method, so that "who may touch what" reads in one place.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Aws, CfnOutput, Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from arportal.adapters.dynamodb import tables as table_specs
from infrastructure import catalog, nag
from infrastructure.constructs import (
    Api,
    Data,
    Events,
    Functions,
    Identity,
    Imports,
    Notifications,
    Observability,
    ScheduledJobs,
    Web,
    Webhooks,
    Workflows,
)
from infrastructure.constructs.daily_totals import DailyTotals
from infrastructure.constructs.observability import product_metric
from infrastructure.constructs.workflows import missing_payouts_metric, reconciliation_items_opened_metric
from infrastructure.deployment_config import DeploymentConfig

# Known only after the web distribution and the processor secret exist, so set after the functions are made
# (catalog.runtime_environment gives them neutral defaults until then).
WEB_ORIGIN_VARIABLE = "WEB_ORIGIN"
PROCESSOR_SECRET_VARIABLE = "PROCESSOR_SECRET_ARN"
API_BASE_URL_VARIABLE = "API_BASE_URL"  # the sandbox's webhooks go to {API_BASE_URL}/v1/processor/webhooks/sandbox
GUEST_TOKEN_SECRET_VARIABLE = "GUEST_TOKEN_SECRET_ARN"
GUEST_TOKEN_FUNCTIONS = ("public_api", "portal_api")  # sign (guest lookup) and verify (guest payment)
# The functions that send mail and talk to the processor (charge, refund, verify webhooks).
BACKEND_FUNCTIONS = ("public_api", "portal_api", "staff_api", "workflow_tasks")
# The functions that hold the processor's keys: the backend, and the scheduled jobs, whose reconciler looks a charge
# up by its key (issue 10). The sandbox's own API gets them too, in a sandbox stack.
PROCESSOR_FUNCTIONS = (*BACKEND_FUNCTIONS, "scheduled_jobs")


class ArPortalStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: DeploymentConfig, **kwargs: Any) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Receivables Portal for {config.agency_name} ({config.stage})",
            **kwargs,
        )
        self.config = config
        for key, value in {"Application": "ReceivablesPortal", "Agency": config.agency, "Stage": config.stage}.items():
            Tags.of(self).add(key, value)

        self.data = data = Data(self, "Data", config=config)
        self.identity = identity = Identity(self, "Identity", config=config)
        self.events = events = Events(self, "Events", config=config, key=data.key, ledger=data.ledger)
        self.notifications = Notifications(self, "Notifications", config=config)
        # Before the functions: their environment names the webhooks table and where the signing secrets live.
        self.webhooks = webhooks = Webhooks(
            self,
            "Webhooks",
            config=config,
            key=data.key,
            bus=events.bus,
            table=data.tables[table_specs.WEBHOOKS.logical_id],
        )
        self.api = api = Api(
            self,
            "Api",
            config=config,
            key=data.key,
            user_pools=[identity.customer_pool, identity.staff_pool],
            machine_pool=identity.integrations_pool,
            staff_pool=identity.staff_pool,
        )
        self.imports = imports = Imports(
            self, "Imports", config=config, key=data.key, access_logs_bucket=data.access_logs_bucket
        )
        self.web = web = Web(
            self,
            "Web",
            config=config,
            access_logs_bucket=data.access_logs_bucket,
            api_origin=f"https://{api.rest_api.rest_api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}",
            upload_origins=imports.origins,
        )

        settings = {
            "ledger_table": data.ledger.table_name,
            "audit_table": data.audit.table_name,
            "idempotency_table": data.idempotency.table_name,
            "documents_bucket": data.documents_bucket.bucket_name,
            "audit_bucket": data.audit_bucket.bucket_name,
            "event_bus": events.bus.event_bus_name,
            "customer_pool_id": identity.customer_pool.user_pool_id,
            "staff_pool_id": identity.staff_pool.user_pool_id,
            "integrations_pool_id": identity.integrations_pool.user_pool_id,
            "integrations_token_url": identity.token_url,
            "agency_name": config.agency_name,
            "currency": config.currency,
            "processor": config.processor,
            "approval_threshold_minor": config.approval_threshold_minor,
            "sender_email": config.sender_email,
            "stage": config.stage,
            "convenience_fees": config.convenience_fees_json(),
            "staff_convenience_fees": config.staff_convenience_fees,
            "integration_lowered_amount": config.integration_lowered_amount,
            "balance_sources": config.balance_sources_json(),
            "chart_of_accounts": config.chart_of_accounts_json(),
            "bank_accounts": config.bank_accounts_json(),
            "bank_matching": config.bank_matching_json(),
            "import_bucket": imports.bucket.bucket_name,
            "webhooks_table": webhooks.table.table_name,
            "webhook_secret_prefix": webhooks.secret_prefix,
            "webhook_secret_kms_key": data.key.key_arn,
        }
        environment = catalog.runtime_environment(**settings)
        self.functions = functions = Functions(self, "Functions", config=config, key=data.key, environment=environment)
        self.workflows = workflows = Workflows(
            self,
            "Workflows",
            config=config,
            key=data.key,
            workflow_tasks=functions["workflow_tasks"],
            ledger=data.ledger,
            bus=events.bus,
            import_bucket=imports.bucket,
        )
        # The machines reference workflow_tasks, so only the API functions can know the machines' ARNs
        # (the other way round would be a dependency cycle).
        with_machines = catalog.runtime_environment(
            **settings,
            payment_retry_arn=workflows["payment_retry"].state_machine_arn,
            approval_arn=workflows["approval"].state_machine_arn,
            settlement_arn=workflows["settlement"].state_machine_arn,
            source_import_arn=workflows["source_import"].state_machine_arn,
        )
        for fn in functions.api_functions():
            for name, value in with_machines.items():
                if environment[name] != value:
                    fn.add_environment(name, value)
        for fn in functions.functions.values():
            fn.add_environment(WEB_ORIGIN_VARIABLE, web.origin)

        routes = catalog.routes_for(config.processor)
        api.serve(
            {route.function: functions[route.function] for route in routes},
            allowed_origin=web.origin,
            routes=routes,
        )
        self._grant()
        imports.grant(
            machine=workflows["source_import"],
            tasks=functions["workflow_tasks"],
            callers=[functions["integration_api"], functions["staff_api"]],
        )
        imports.allow_uploads_from(web.origin)
        imports.grant_settlement(machine=workflows["settlement"], tasks=functions["workflow_tasks"])
        imports.deliver_bank_files(functions["workflow_tasks"])  # the S3 drop of bank files (issue 15)
        # The daily jobs: their schedules, dead letters and grants (ledger, mail, starting payment_retry).
        self.scheduled_jobs = ScheduledJobs(
            self,
            "ScheduledJobs",
            key=data.key,
            jobs=functions["scheduled_jobs"],
            payment_retry=workflows["payment_retry"],
            ledger=data.ledger,
            audit=data.audit,
            notifications=self.notifications,
            journals_bucket=data.audit_bucket,
        )
        self._grant_balance_sources()
        self._grant_webhooks()
        self.audit_dead_letters = self._export_audit()
        self.daily_totals = DailyTotals(
            self, "DailyTotals", builder=functions["aggregate_builder"], ledger=data.ledger, key=data.key
        )
        self.processor_secret = self._processor_secret()
        self.guest_token_secret = self._guest_token_secret()
        if config.processor == "sandbox":
            self._sandbox_api()
        web.publish(
            {
                "apiUrl": api.url,
                "region": Aws.REGION,
                "stage": config.stage,
                "agencyName": config.agency_name,
                "currency": config.currency,
                "processor": config.processor,
                "logoUrl": config.logo_url or "",
                "customer": {
                    "userPoolId": identity.customer_pool.user_pool_id,
                    "clientId": identity.customer_client.user_pool_client_id,
                },
                "staff": {
                    "userPoolId": identity.staff_pool.user_pool_id,
                    "clientId": identity.staff_client.user_pool_client_id,
                },
            }
        )
        self.observability = Observability(
            self,
            "Observability",
            key=data.key,
            functions=dict(functions.functions),
            api=api.rest_api,
            machines=dict(workflows.machines),
            dead_letter_queues={
                "outbox relay dead letters": events.dead_letters,
                "audit export dead letters": self.audit_dead_letters,
                "daily totals dead letters": self.daily_totals.dead_letters,
                "scheduled jobs dead letters": self.scheduled_jobs.dead_letters,
                "webhook dead letters": webhooks.dead_letters,
                "webhook sweep dead letters": webhooks.sweep_dead_letters,
            },
            metrics={
                "webhook endpoints switched off": webhooks.disabled_endpoints_metric(),
                "reconciliation items opened": reconciliation_items_opened_metric(),
                "journal build failed": self.scheduled_jobs.journal_build_failed_metric(),
                # a journal whose lines do not balance (functions/scheduled_jobs: JournalUnbalanced), never stored
                "journal unbalanced": product_metric("JournalUnbalanced"),
                # payments past their payout deadline that no payout carried (settlement's missing_from_processor)
                "missing payouts": missing_payouts_metric(),
                # an ACH return rate at 80 % of its NACHA limit or past it (services/return_rates.py)
                "ach return rate warning": product_metric("AchReturnRateWarning"),
            },
            aborts_alarmed=("settlement",),
        )
        self._outputs()
        nag.suppress(self)

    def _grant(self) -> None:
        """Least privilege, function by function. The audit table is append-only: read + put, no update."""
        data, fns, machines = self.data, self.functions, self.workflows
        for name in BACKEND_FUNCTIONS:
            fn = fns[name]
            data.ledger.grant_read_write_data(fn)
            data.idempotency.grant_read_write_data(fn)
            data.audit.grant_read_data(fn)  # the hash chain reads the previous record
            data.audit.grant(fn, "dynamodb:PutItem", "dynamodb:ConditionCheckItem")
            data.key.grant_encrypt_decrypt(fn)
            data.documents_bucket.grant_read(fn)  # presigned GETs are signed with this permission
            data.documents_bucket.grant_put(fn)
            self.notifications.grant_send(fn)

        portal, staff, tasks = fns["portal_api"], fns["staff_api"], fns["workflow_tasks"]
        # Account linking: the backend, never the client, sets custom:customer_id.
        self.identity.customer_pool.grant(portal, "cognito-idp:AdminGetUser", "cognito-idp:AdminUpdateUserAttributes")
        # Staff administration (the admin role's admin.users permission).
        self.identity.staff_pool.grant(
            staff,
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminGetUser",
            "cognito-idp:AdminDisableUser",
            "cognito-idp:AdminEnableUser",
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminRemoveUserFromGroup",
            "cognito-idp:AdminListGroupsForUser",
            "cognito-idp:ListUsers",
            "cognito-idp:ListUsersInGroup",
        )
        # The integration API loads the agency's records (ledger items, their audit chain, documents' files) and
        # reads the ledger back (event feed, payments, balances); it never sends mail or talks to the processor.
        integration = fns["integration_api"]
        data.ledger.grant_read_write_data(integration)
        data.audit.grant_read_data(integration)
        data.audit.grant(integration, "dynamodb:PutItem", "dynamodb:ConditionCheckItem")
        data.key.grant_encrypt_decrypt(integration)
        data.documents_bucket.grant_put(integration)
        # A bank file a connected system sends is applied in the request: a payer matched gets a receipt (issue 15).
        self.notifications.grant_send(integration)
        # The connected systems' app clients: the integration API names its caller; an admin rotates secrets.
        integrations = self.identity.integrations_pool
        integrations.grant(fns["integration_api"], "cognito-idp:DescribeUserPoolClient")
        integrations.grant(
            staff,
            "cognito-idp:ListUserPoolClients",
            "cognito-idp:DescribeUserPoolClient",
            "cognito-idp:ListUserPoolClientSecrets",
            "cognito-idp:AddUserPoolClientSecret",
            "cognito-idp:DeleteUserPoolClientSecret",
        )
        machines["payment_retry"].grant_start_execution(portal)  # autopay and instalment schedules
        machines["payment_retry"].grant_start_execution(staff)
        machines["approval"].grant_start_execution(staff)
        machines["approval"].grant_task_response(staff)  # a second staff member's decision
        data.audit_bucket.grant_read(staff)  # GET /v1/staff/audit reads exports
        data.audit_bucket.grant_put(staff, "journals/*")  # an approved GL journal correction's two batches
        data.audit_bucket.grant_put(tasks)  # settlement reconciliation reports and audit exports
        self.events.bus.grant_put_events_to(tasks)

    def _grant_webhooks(self) -> None:
        """The dispatcher takes the queue and the sweep, keeps deliveries, signs, and tells the agency's
        administrators (the staff pool's admin group, by email) when it switches an endpoint off. The integration API
        manages endpoints and their secrets (and sends test deliveries); the public API publishes the public half of
        the agency's signing key."""
        fns = self.functions
        dispatcher = fns["webhook_dispatcher"]
        self.webhooks.connect(dispatcher=dispatcher, managers=[fns["integration_api"]], key_readers=[fns["public_api"]])
        self.notifications.grant_send(dispatcher)
        self.identity.staff_pool.grant(dispatcher, "cognito-idp:ListUsersInGroup")

    def _export_audit(self) -> sqs.Queue:
        """Every audit record, as written, is copied to the Object Lock bucket from the audit table's stream."""
        exporter = self.functions["audit_exporter"]
        dead_letters = sqs.Queue(
            self,
            "AuditExportDeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.data.key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        exporter.add_event_source(
            event_sources.DynamoEventSource(
                self.data.audit,
                starting_position=lambda_.StartingPosition.TRIM_HORIZON,
                batch_size=100,
                bisect_batch_on_error=True,
                retry_attempts=10,
                on_failure=event_sources.SqsDlq(dead_letters),
            )
        )
        self.data.audit_bucket.grant_put(exporter)
        self.data.key.grant_encrypt_decrypt(exporter)
        return dead_letters

    def _grant_balance_sources(self) -> None:
        """The staff console reads each connected system's credentials (the agency creates the secrets)."""
        for department, source in sorted(self.config.balance_sources.items()):
            if source.secret_name:
                secret = secretsmanager.Secret.from_secret_name_v2(
                    self, f"BalanceSourceSecret-{department}", source.secret_name
                )
                secret.grant_read(self.functions["staff_api"])

    def _processor_secret(self) -> secretsmanager.Secret:
        """The processor's ``{"api_key": ..., "webhook_secret": ...}``. Stripe: an empty-ish secret the agency
        fills after deploy. Sandbox: generated at deploy, so its signed webhooks work from the first minute."""
        sandbox = self.config.processor == "sandbox"
        secret = secretsmanager.Secret(
            self,
            "ProcessorSecret",
            description=(
                f"{self.config.processor} credentials for {self.config.agency}/{self.config.stage}: "
                + (
                    "a generated webhook signing secret for the sandbox's test events"
                    if sandbox
                    else 'JSON {"api_key": "...", "webhook_secret": "..."} set after deploy'
                )
            ),
            encryption_key=self.data.key,
            # A sandbox's secret signs test events only; a real processor's keys outlive a stack.
            removal_policy=RemovalPolicy.DESTROY if sandbox else RemovalPolicy.RETAIN,
            generate_secret_string=(
                secretsmanager.SecretStringGenerator(
                    secret_string_template=json.dumps({"api_key": "sk_sandbox"}),
                    generate_string_key="webhook_secret",
                    exclude_punctuation=True,
                    password_length=48,
                )
                if sandbox
                else None
            ),
        )
        for name in (*PROCESSOR_FUNCTIONS, *(("sandbox_api",) if sandbox else ())):
            secret.grant_read(self.functions[name])
            self.functions[name].add_environment(PROCESSOR_SECRET_VARIABLE, secret.secret_arn)
        return secret

    def _guest_token_secret(self) -> secretsmanager.Secret:
        """The HMAC key of guest tokens (POST /v1/public/lookup signs them, the guest payment verifies them):
        random, generated at deploy, read by the two API functions that sign and verify."""
        secret = secretsmanager.Secret(
            self,
            "GuestTokenKey",
            description=f"Signing key of guest tokens for {self.config.agency}/{self.config.stage}",
            encryption_key=self.data.key,
            removal_policy=RemovalPolicy.DESTROY,  # tokens live 15 minutes: a new key on a new stack is harmless
            generate_secret_string=secretsmanager.SecretStringGenerator(exclude_punctuation=True, password_length=64),
        )
        for name in GUEST_TOKEN_FUNCTIONS:
            secret.grant_read(self.functions[name])
            self.functions[name].add_environment(GUEST_TOKEN_SECRET_VARIABLE, secret.secret_arn)
        return secret

    def _sandbox_api(self) -> None:
        """The sandbox processor keeps its records in the ledger table under ``SANDBOX#`` keys, and nothing else
        there is its business; it sends its webhooks to this stack's API (the stage URL, built from the API id:
        ``api.url`` would make the function depend on the deployment that depends on it)."""
        fn = self.functions["sandbox_api"]
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem"],
                resources=[self.data.ledger.table_arn],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["SANDBOX#*"]}},
            )
        )
        self.data.key.grant_encrypt_decrypt(fn)
        api_id = self.api.rest_api.rest_api_id
        fn.add_environment(
            API_BASE_URL_VARIABLE, f"https://{api_id}.execute-api.{Aws.REGION}.{Aws.URL_SUFFIX}/{self.config.stage}"
        )

    def _outputs(self) -> None:
        identity = self.identity
        outputs = {
            "ApiUrl": self.api.url,
            "WebUrl": self.web.url,
            "CustomerUserPoolId": identity.customer_pool.user_pool_id,
            "CustomerUserPoolClientId": identity.customer_client.user_pool_client_id,
            "StaffUserPoolId": identity.staff_pool.user_pool_id,
            "StaffUserPoolClientId": identity.staff_client.user_pool_client_id,
            "IntegrationsUserPoolId": identity.integrations_pool.user_pool_id,
            "IntegrationsTokenUrl": identity.token_url,
            **{
                f"IntegrationClientId{name.replace('-', ' ').title().replace(' ', '')}": client.user_pool_client_id
                for name, client in identity.integration_clients.items()
            },
            "EventBusName": self.events.bus.event_bus_name,
            "DocumentsBucketName": self.data.documents_bucket.bucket_name,
            "AlarmTopicArn": self.observability.topic.topic_arn,
            # what an operator invokes by hand (docs/deploy.md, "Upgrading"): a job for a given day, a backfill
            "ScheduledJobsFunctionName": self.functions["scheduled_jobs"].function_name,
            "AggregateBuilderFunctionName": self.functions["aggregate_builder"].function_name,
            **{f"{logical_id}TableName": table.table_name for logical_id, table in self.data.tables.items()},
        }
        if self.processor_secret is not None:
            outputs["ProcessorSecretArn"] = self.processor_secret.secret_arn
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
