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
from infrastructure import catalog, nag, permissions
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
from infrastructure.constructs.backup import Backup
from infrastructure.constructs.daily_totals import DailyTotals
from infrastructure.constructs.dashboard import Dashboard
from infrastructure.constructs.domains import Domains
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
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeploymentConfig,
        cloudfront_web_acl_arn: str | None = None,
        **kwargs: Any,
    ) -> None:
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
        # Before the pools: Cognito sends through SES from the agency's domain, with this stage's configuration set.
        self.notifications = notifications = Notifications(
            self, "Notifications", config=config, ledger=data.ledger, key=data.key
        )
        self.identity = identity = Identity(self, "Identity", config=config, email=notifications.user_pool_email())
        notifications.precede(identity.customer_pool, identity.staff_pool)
        self.events = events = Events(self, "Events", config=config, key=data.key, ledger=data.ledger)
        # Before the functions: their environment names the webhooks table and where the signing secrets live.
        self.webhooks = webhooks = Webhooks(
            self,
            "Webhooks",
            config=config,
            key=data.key,
            bus=events.bus,
            table=data.tables[table_specs.WEBHOOKS.logical_id],
        )
        self.domains = domains = Domains(self, "Domains", config=config)
        self.api = api = Api(
            self,
            "Api",
            config=config,
            key=data.key,
            user_pools=[identity.customer_pool, identity.staff_pool],
            machine_pool=identity.integrations_pool,
            staff_pool=identity.staff_pool,
            domains=domains,
        )
        self.imports = imports = Imports(
            self, "Imports", config=config, key=data.key, access_logs_bucket=data.access_logs_bucket
        )
        self.web = web = Web(
            self,
            "Web",
            config=config,
            access_logs_bucket=data.access_logs_bucket,
            api_origin=api.origin,
            upload_origins=imports.origins,
            domains=domains,
            web_acl_arn=cloudfront_web_acl_arn,
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
            "time_zone": config.time_zone,
            "processor": config.processor,
            "approval_threshold_minor": config.approval_threshold_minor,
            "sender_email": config.sender_email,
            "ses_configuration_set": notifications.configuration_set_name,
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
        # the S3 drop of bank files (issue 15); what still fails after Lambda's retries waits in this queue
        self.bank_file_dead_letters = imports.deliver_bank_files(functions["workflow_tasks"])
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
        self.email_feedback_dead_letters = self._email_feedback()
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
                "timeZone": config.time_zone,  # what people read on the pages is in the agency's zone
                "currency": config.currency,
                "processor": config.processor,
                **({"stripePublishableKey": config.stripe_publishable_key} if config.stripe_publishable_key else {}),
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
                "email feedback dead letters": self.email_feedback_dead_letters,
                "bank file drop dead letters": self.bank_file_dead_letters,
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
            alarm_email=config.alarm_email,
        )
        self._operations()
        self._outputs()
        nag.suppress(self)

    def _operations(self) -> None:
        """The stage's dashboard, and AWS Backup of the tables and the buckets of evidence (docs/deploy.md)."""
        data, webhooks = self.data, self.webhooks
        self.backup = Backup(
            self,
            "Backup",
            config=self.config,
            key=data.key,
            tables=list(data.tables.values()),
            buckets=[data.documents_bucket, data.audit_bucket, data.access_logs_bucket],
            topic=self.observability.topic,
        )
        routes = catalog.routes_for(self.config.processor)
        self.dashboard = Dashboard(
            self,
            "Dashboard",
            config=self.config,
            api=self.api.rest_api,
            api_functions={name: self.functions[name] for name in dict.fromkeys(r.function for r in routes)},
            machines=dict(self.workflows.machines),
            dead_letter_queues=self.observability.dead_letter_queues,
            webhook_queue=webhooks.queue,
            webhook_dispatcher=self.functions["webhook_dispatcher"],
            webhook_dead_letters={
                "webhook dead letters": webhooks.dead_letters,
                "webhook sweep dead letters": webhooks.sweep_dead_letters,
            },
            alarms=self.observability.alarms,
        )

    def _grant(self) -> None:
        """Least privilege, function by function: each table with the DynamoDB actions the function's row of
        ``permissions.py`` calls. The audit table is append-only: read + put, no update."""
        data, fns, machines = self.data, self.functions, self.workflows
        for name in BACKEND_FUNCTIONS:
            fn = fns[name]
            permissions.grant_table(data.ledger, fn, name)
            permissions.grant_table(data.idempotency, fn, name)
            permissions.grant_table(data.audit, fn, name, append_only=True)  # the hash chain reads the previous record
            data.key.grant_encrypt_decrypt(fn)
            data.documents_bucket.grant_read(fn)  # presigned GETs are signed with this permission
            data.documents_bucket.grant_put(fn)
            self.notifications.grant_send(fn)

        portal, staff, tasks = fns["portal_api"], fns["staff_api"], fns["workflow_tasks"]
        # Account linking: the backend, never the client, sets custom:customer_id.
        self.identity.customer_pool.grant(portal, "cognito-idp:AdminUpdateUserAttributes")
        # An admin invites staff (Cognito emails the temporary password) and lists them: the staff pool only.
        self.identity.staff_pool.grant(
            staff,
            "cognito-idp:AdminCreateUser",
            "cognito-idp:AdminAddUserToGroup",
            "cognito-idp:AdminDeleteUser",
            "cognito-idp:ListUsersInGroup",
        )
        # The integration API loads the agency's records (ledger items, their audit chain, documents' files) and
        # reads the ledger back (event feed, payments, balances); it never sends mail or talks to the processor.
        integration = fns["integration_api"]
        permissions.grant_table(data.ledger, integration, "integration_api")
        permissions.grant_table(data.audit, integration, "integration_api", append_only=True)
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
        # payment_retry is started by the scheduled jobs alone (a failed autopay charge): constructs/schedules.py.
        machines["approval"].grant_start_execution(staff)
        # A second staff member's decision, approving or rejecting, is a task success (no failure, no heartbeat).
        machines["approval"].grant(staff, "states:SendTaskSuccess")
        data.audit_bucket.grant_read(staff)  # GET /v1/staff/audit reads exports
        data.audit_bucket.grant_put(staff, "journals/*")  # an approved GL journal correction's two batches
        data.audit_bucket.grant_put(tasks)  # settlement reconciliation reports and audit exports
        # No function puts events itself: the outbox pipe relays them from the ledger (constructs/events.py).

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

    def _email_feedback(self) -> sqs.Queue:
        """SES bounces and complaints -> ``email_events``, which finds the customers by email (the ledger's ByName
        index) and writes, in one transaction, the suppression, each customer's mark and audited note, and the
        notes' count on their day."""
        fn, data = self.functions["email_events"], self.data
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem"],  # one TransactWriteItems of conditional puts
                resources=[data.ledger.table_arn, data.audit.table_arn],
            )
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:UpdateItem"],  # ... and the ADD of the day's interaction counters
                resources=[data.ledger.table_arn],
            )
        )
        fn.add_to_role_policy(
            iam.PolicyStatement(
                actions=["dynamodb:Query"],
                resources=[f"{data.ledger.table_arn}/index/{table_specs.BY_NAME}"],
            )
        )
        data.key.grant_encrypt_decrypt(fn)
        return self.notifications.deliver_feedback(fn)

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

    def _processor_secret(self) -> secretsmanager.ISecret:
        """The processor's ``{"api_key": ..., "webhook_secret": ...}``. Stripe: the agency's own secret, made before
        the deploy and named by ``processorSecretName`` (so no stack deploys without Stripe's keys, and the keys
        outlive any stack). Sandbox: generated at deploy, so its signed webhooks work from the first minute."""
        sandbox = self.config.processor == "sandbox"
        if not sandbox:
            assert self.config.processor_secret_name  # the config refuses stripe without it
            existing = secretsmanager.Secret.from_secret_name_v2(
                self, "ProcessorSecret", self.config.processor_secret_name
            )
            for name in PROCESSOR_FUNCTIONS:
                existing.grant_read(self.functions[name])
                self.functions[name].add_environment(PROCESSOR_SECRET_VARIABLE, existing.secret_arn)
            return existing
        secret = secretsmanager.Secret(
            self,
            "ProcessorSecret",
            description=(
                f"sandbox credentials for {self.config.agency}/{self.config.stage}: a generated webhook signing "
                "secret for the sandbox's test events"
            ),
            encryption_key=self.data.key,
            removal_policy=RemovalPolicy.DESTROY,  # it signs test events only
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({"api_key": "sk_sandbox"}),
                generate_string_key="webhook_secret",
                exclude_punctuation=True,
                password_length=48,
            ),
        )
        for name in (*PROCESSOR_FUNCTIONS, "sandbox_api"):
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
            "DashboardName": self.dashboard.dashboard.dashboard_name,
            "BackupVaultName": self.backup.vault.backup_vault_name,
            "BackupRoleArn": self.backup.role.role_arn,  # what a restore job runs as (docs/runbooks/restore-a-table.md)
            "WebAclArn": self.web.web_acl_arn,  # the distribution's (the API's is in the stack)
            # what an operator invokes by hand (docs/deploy.md, "Upgrading"): a job for a given day, a backfill
            "ScheduledJobsFunctionName": self.functions["scheduled_jobs"].function_name,
            "AggregateBuilderFunctionName": self.functions["aggregate_builder"].function_name,
            **{f"{logical_id}TableName": table.table_name for logical_id, table in self.data.tables.items()},
            # what the runbooks (docs/runbooks/) name: a workflow to rerun, a queue to redrive, the key to restore with
            "DataKeyArn": self.data.key.key_arn,
            **{f"{_pascal(name)}StateMachineArn": m.state_machine_arn for name, m in self.workflows.machines.items()},
            **{f"{_pascal(name)}QueueUrl": q.queue_url for name, q in self.observability.dead_letter_queues.items()},
            "WebhookQueueUrl": self.webhooks.queue.queue_url,  # where the webhook dead letters are redriven to
        }
        if self.processor_secret is not None:
            outputs["ProcessorSecretArn"] = self.processor_secret.secret_arn
        # Where the agency's DNS points its names when the stack does not write the records (no hosted zone).
        if self.api.domain:
            outputs["ApiDomainTarget"] = self.api.domain.domain_name_alias_domain_name
        if self.config.web_domain:
            outputs["WebDomainTarget"] = self.web.distribution.distribution_domain_name
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)


def _pascal(name: str) -> str:
    """``payment_retry`` -> ``PaymentRetry``; ``outbox relay dead letters`` -> ``OutboxRelayDeadLetters``."""
    return "".join(word.capitalize() for word in name.replace("_", " ").split())
