"""The product's AWS resources, created in moto from the same definitions CDK deploys.

Tables come from ``arportal.adapters.dynamodb.tables.TABLES``, functions, state machines and their
substitutions from ``infrastructure.catalog``, names and settings from the deployment config in ``cdk.json``.
Only what moto cannot do differently is local: one IAM role for everything, and an SQS queue subscribed to the
bus so tests and the console can see events (moto's EventBridge cannot deliver to Lambda targets).
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3

from arportal.adapters.dynamodb.outbox import EVENT_SOURCE
from arportal.adapters.dynamodb.tables import TABLES, WEBHOOKS, TableSpec
from arportal.domain import integration_scopes
from infrastructure import catalog
from infrastructure.deployment_config import DeploymentConfig
from local import external_system
from local.demo_bank_accounts import demo_bank_accounts_json
from local.demo_chart_of_accounts import DEMO_CHART_OF_ACCOUNTS

STAFF_GROUPS = ("agent", "supervisor", "finance", "admin")
# The connected system every local runtime has, with every integration scope (``GET /local/clients``).
DEMO_CLIENT = "demo-erp"
_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
            "Action": "sts:AssumeRole",
        }
    ],
}
_CLIENT_AUTH_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
_READ_ATTRIBUTES = ["email", "email_verified", "name", "custom:customer_id"]


@dataclass(frozen=True)
class Resources:
    """Names, ids and ARNs of everything created, as the functions' environment and the tests need them."""

    region: str
    account_id: str
    endpoint_url: str
    prefix: str
    tables: dict[str, str]  # logical id (Ledger, Audit, Idempotency) -> table name
    documents_bucket: str
    audit_bucket: str
    kms_key_id: str
    event_bus: str
    event_bus_arn: str
    events_queue_url: str
    customer_pool_id: str
    customer_client_id: str
    staff_pool_id: str
    staff_client_id: str
    integrations_pool_id: str
    integration_clients: dict[str, str]  # app client name -> client id (the demo's and the config's)
    functions: dict[str, str]  # catalog name -> function ARN
    state_machines: dict[str, str]  # catalog name -> state machine ARN
    secrets: dict[str, str]  # purpose -> secret ARN
    sender_email: str
    import_bucket: str = ""  # bulk import files (uploads, chunks, error reports)
    webhooks_queue_url: str = ""  # every event of ours, for the webhook dispatcher (local/webhook_dispatch.py)
    webhooks_queue_arn: str = ""
    webhook_retry_scale: float = 1.0  # the retry schedule times this (dev compresses it)
    ses_configuration_set: str = ""  # named on every message, as deployed (its bounces: local/email_feedback.py)

    @property
    def ledger_table(self) -> str:
        return self.tables["Ledger"]

    @property
    def audit_table(self) -> str:
        return self.tables["Audit"]

    @property
    def idempotency_table(self) -> str:
        return self.tables["Idempotency"]

    @property
    def webhooks_table(self) -> str:
        return self.tables[WEBHOOKS.logical_id]

    @property
    def webhook_secret_prefix(self) -> str:
        return f"{self.prefix}/webhooks/"

    def function_name(self, name: str) -> str:
        return self.functions[name].rsplit(":", 1)[-1]

    def runtime_environment(self, config: DeploymentConfig) -> dict[str, str]:
        return catalog.runtime_environment(
            ledger_table=self.ledger_table,
            audit_table=self.audit_table,
            idempotency_table=self.idempotency_table,
            documents_bucket=self.documents_bucket,
            audit_bucket=self.audit_bucket,
            event_bus=self.event_bus,
            customer_pool_id=self.customer_pool_id,
            staff_pool_id=self.staff_pool_id,
            integrations_pool_id=self.integrations_pool_id,
            agency_name=config.agency_name,
            currency=config.currency,
            time_zone=config.time_zone,
            processor=config.processor,
            approval_threshold_minor=config.approval_threshold_minor,
            sender_email=config.sender_email,
            ses_configuration_set=self.ses_configuration_set,
            stage=config.stage,
            payment_retry_arn=self.state_machines.get("payment_retry", ""),
            approval_arn=self.state_machines.get("approval", ""),
            settlement_arn=self.state_machines.get("settlement", ""),
            source_import_arn=self.state_machines.get("source_import", ""),
            import_bucket=self.import_bucket,
            processor_secret_arn=self.secrets.get("processor", ""),
            convenience_fees=config.convenience_fees_json(),
            staff_convenience_fees=config.staff_convenience_fees,
            integration_lowered_amount=config.integration_lowered_amount,
            guest_token_secret_arn=self.secrets.get("guest-token-key", ""),
            balance_sources=external_system.balance_sources(config, secret_prefix=self.prefix),
            webhooks_table=self.webhooks_table,
            webhook_secret_prefix=self.webhook_secret_prefix,
            webhooks_local=True,  # endpoints on this machine, over plain http
            webhook_retry_scale=self.webhook_retry_scale,
            # the deployment config's GL mapping, or the demo agency's when cdk.json has none
            chart_of_accounts=config.chart_of_accounts_json() or DEMO_CHART_OF_ACCOUNTS,
            # the deployment config's bank accounts, or the demo agency's when cdk.json has none
            bank_accounts=config.bank_accounts_json() or demo_bank_accounts_json(),
            bank_matching=config.bank_matching_json(),
        )


def create_all(
    config: DeploymentConfig, *, endpoint_url: str, region: str, webhook_retry_scale: float = 1.0
) -> Resources:
    session = boto3.session.Session(region_name=region)

    @cache  # one client per service: making one costs ~20 ms (its model and endpoint rules)
    def client(service: str) -> Any:
        return session.client(service, endpoint_url=endpoint_url)  # type: ignore[call-overload]

    prefix = config.stack_name
    account = client("sts").get_caller_identity()["Account"]
    tables = {spec.logical_id: f"{prefix}-{spec.logical_id}" for spec in TABLES}
    for spec in TABLES:
        create_table(client("dynamodb"), tables[spec.logical_id], spec)
    kms_key_id, documents_bucket, audit_bucket = _create_storage(client("kms"), client("s3"), prefix.lower())
    import_bucket = _create_import_bucket(client("s3"), prefix.lower(), kms_key_id)
    bus_name = f"{prefix}-events"
    bus_arn, queue_url = _create_events(client("events"), client("sqs"), bus_name, account)
    webhooks_queue_url, webhooks_queue_arn = _create_webhooks_queue(client("events"), client("sqs"), bus_name)
    customer_pool, customer_client = _create_pool(
        client("cognito-idp"), f"{prefix}-customers", groups=(), mfa="OPTIONAL", sender=config.sender_email
    )
    staff_pool, staff_client = _create_pool(
        client("cognito-idp"),
        f"{prefix}-staff",
        groups=STAFF_GROUPS,
        mfa="ON" if config.staff_mfa else "OPTIONAL",
        sender=config.sender_email,
        invitation=_staff_invitation(config),
    )
    integrations_pool, integration_clients = _create_integrations_pool(client("cognito-idp"), prefix, config)
    client("ses").verify_email_identity(EmailAddress=config.sender_email)
    configuration_set = f"{prefix}-email"
    client("ses").create_configuration_set(ConfigurationSet={"Name": configuration_set})
    secrets = {
        purpose: client("secretsmanager").create_secret(Name=f"{prefix}/{purpose}", SecretString=value)["ARN"]
        for purpose, value in (
            (
                "processor",
                json.dumps(
                    {
                        "processor": config.processor,
                        "api_key": "sk_sandbox_local",
                        "webhook_secret": "whsec_sandbox_local_not_secret",
                    }
                ),
            ),
            ("guest-token-key", "local-guest-token-key-not-secret-0123456789abcdef"),
            (external_system.SECRET_PURPOSE, json.dumps({"api_key": external_system.API_KEY})),
        )
    }
    role_arn = client("iam").create_role(RoleName=f"{prefix}-local", AssumeRolePolicyDocument=json.dumps(_TRUST))[
        "Role"
    ]["Arn"]
    machine_arns = {
        m.name: f"arn:aws:states:{region}:{account}:stateMachine:{prefix}-{m.name}" for m in catalog.STATE_MACHINES
    }
    resources = Resources(
        region=region,
        account_id=account,
        endpoint_url=endpoint_url,
        prefix=prefix,
        tables=tables,
        documents_bucket=documents_bucket,
        audit_bucket=audit_bucket,
        kms_key_id=kms_key_id,
        event_bus=bus_name,
        event_bus_arn=bus_arn,
        events_queue_url=queue_url,
        customer_pool_id=customer_pool,
        customer_client_id=customer_client,
        staff_pool_id=staff_pool,
        staff_client_id=staff_client,
        integrations_pool_id=integrations_pool,
        integration_clients=integration_clients,
        functions={},
        state_machines=machine_arns,  # known before creation, so function environments can name them
        secrets=secrets,
        sender_email=config.sender_email,
        import_bucket=import_bucket,
        webhooks_queue_url=webhooks_queue_url,
        webhooks_queue_arn=webhooks_queue_arn,
        webhook_retry_scale=webhook_retry_scale,
        ses_configuration_set=configuration_set,
    )
    env = resources.runtime_environment(config)
    resources.functions.update(_create_functions(client("lambda"), prefix, role_arn, env))
    _create_state_machines(client("stepfunctions"), resources, role_arn)
    return resources


def _key_schema(partition: str, sort: str | None) -> list[dict[str, str]]:
    schema = [{"AttributeName": partition, "KeyType": "HASH"}]
    return schema + ([{"AttributeName": sort, "KeyType": "RANGE"}] if sort else [])


def create_table(dynamodb: Any, name: str, spec: TableSpec) -> None:
    request: dict[str, Any] = {
        "TableName": name,
        "KeySchema": _key_schema(spec.partition_key, spec.sort_key),
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in spec.key_attributes()],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if spec.indexes:
        request["GlobalSecondaryIndexes"] = [
            {
                "IndexName": index.name,
                "KeySchema": _key_schema(index.partition_key, index.sort_key),
                "Projection": {"ProjectionType": "ALL"},
            }
            for index in spec.indexes
        ]
    if spec.stream:
        request["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    dynamodb.create_table(**request)
    if spec.ttl_attribute:
        dynamodb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": spec.ttl_attribute}
        )


def _create_storage(kms: Any, s3: Any, prefix: str) -> tuple[str, str, str]:
    key_id = kms.create_key(Description=f"{prefix} documents")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{prefix}-documents", TargetKeyId=key_id)
    documents, audit = f"{prefix}-documents", f"{prefix}-audit"
    s3.create_bucket(Bucket=documents)
    s3.put_bucket_encryption(
        Bucket=documents,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}}]
        },
    )
    s3.create_bucket(Bucket=audit, ObjectLockEnabledForBucket=True)
    return key_id, documents, audit


def _create_import_bucket(s3: Any, prefix: str, key_id: str) -> str:
    """As CDK makes it: KMS by default, objects gone after a week, and CORS so the console's page can PUT the file
    to its presigned URL (the local console's origin varies with the port, so any origin)."""
    bucket = f"{prefix}-imports"
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key_id}}]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [{"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 7}}]
        },
    )
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {"AllowedMethods": ["PUT"], "AllowedOrigins": ["*"], "AllowedHeaders": ["*"], "MaxAgeSeconds": 3000}
            ]
        },
    )
    return bucket


def _create_events(events: Any, sqs: Any, bus_name: str, account: str) -> tuple[str, str]:
    bus_arn = events.create_event_bus(Name=bus_name)["EventBusArn"]
    queue_url = sqs.create_queue(QueueName=f"{bus_name}-local-tap")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # Every event on the bus carries our account: a catch-all rule.
    events.put_rule(Name="local-tap", EventBusName=bus_name, EventPattern=json.dumps({"account": [account]}))
    events.put_targets(Rule="local-tap", EventBusName=bus_name, Targets=[{"Id": "local-tap", "Arn": queue_arn}])
    return bus_arn, queue_url


def _create_webhooks_queue(events: Any, sqs: Any, bus_name: str) -> tuple[str, str]:
    """As CDK makes it (``infrastructure/constructs/webhooks.py``): a rule taking every event of ours to the queue the
    dispatcher reads. Moto's EventBridge delivers to SQS itself; a record the dispatcher fails comes back after 30 s."""
    queue_url = sqs.create_queue(QueueName=f"{bus_name}-webhooks", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name="webhooks", EventBusName=bus_name, EventPattern=json.dumps({"source": [EVENT_SOURCE]}))
    events.put_targets(Rule="webhooks", EventBusName=bus_name, Targets=[{"Id": "webhooks", "Arn": queue_arn}])
    return queue_url, queue_arn


# As infrastructure/constructs/identity.py's _PASSWORD_POLICY (what the sign-in pages' password hints say).
_PASSWORD_POLICY = {
    "MinimumLength": 12,
    "RequireUppercase": True,
    "RequireLowercase": True,
    "RequireNumbers": True,
    "RequireSymbols": True,
    "TemporaryPasswordValidityDays": 3,
}


def _staff_invitation(config: DeploymentConfig) -> dict[str, Any]:
    """The staff pool's invitation, as identity.py words it (``local/moto_cognito.py`` sends it to the mailbox)."""
    return {
        "AllowAdminCreateUserOnly": True,
        "InviteMessageTemplate": {
            "EmailSubject": f"{config.agency_name}: your staff console account",
            "EmailMessage": (
                f"You have been given access to the {config.agency_name} payments console. "
                "Sign in with {username} and the temporary password {####}."
            ),
        },
    }


def _create_pool(
    cognito: Any,
    name: str,
    *,
    groups: tuple[str, ...],
    mfa: str,
    sender: str,
    invitation: dict[str, Any] | None = None,
) -> tuple[str, str]:
    """A person's pool as identity.py makes it: email sign-in, the password policy, TOTP as the second factor
    (``mfa`` "ON": required, as the staff pool with staffMfa; "OPTIONAL": the customers may enrol)."""
    pool_id = cognito.create_user_pool(
        PoolName=name,
        UsernameAttributes=["email"],
        AutoVerifiedAttributes=["email"],
        Schema=[{"Name": "customer_id", "AttributeDataType": "String", "Mutable": True}],
        Policies={"PasswordPolicy": _PASSWORD_POLICY},
        EmailConfiguration={"EmailSendingAccount": "DEVELOPER", "From": sender},
        **({"AdminCreateUserConfig": invitation} if invitation else {}),
    )["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(
        UserPoolId=pool_id, SoftwareTokenMfaConfiguration={"Enabled": True}, MfaConfiguration=mfa
    )
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=f"{name}-web",
        ExplicitAuthFlows=_CLIENT_AUTH_FLOWS,
        ReadAttributes=_READ_ATTRIBUTES,
    )["UserPoolClient"]["ClientId"]
    for group in groups:
        cognito.create_group(UserPoolId=pool_id, GroupName=group)
    return pool_id, client_id


def _create_integrations_pool(cognito: Any, prefix: str, config: DeploymentConfig) -> tuple[str, dict[str, str]]:
    """The connected systems' pool as CDK makes it: no users, a domain, the ``integrations`` resource server with
    the scope catalogue, and a client-credentials app client per system of the config, plus the local demo's."""
    pool_id = cognito.create_user_pool(PoolName=f"{prefix}-integrations")["UserPool"]["Id"]
    cognito.create_user_pool_domain(Domain=f"{prefix.lower()}-integrations", UserPoolId=pool_id)
    cognito.create_resource_server(
        UserPoolId=pool_id,
        Identifier=integration_scopes.RESOURCE_SERVER,
        Name="Integration API",
        Scopes=[{"ScopeName": s.name, "ScopeDescription": s.description} for s in integration_scopes.SCOPES],
    )
    wanted = {client.name: client.scopes for client in config.integration_clients}
    wanted.setdefault(DEMO_CLIENT, sorted(integration_scopes.SCOPE_NAMES))
    clients = {}
    for name, scopes in wanted.items():
        clients[name] = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=name,
            GenerateSecret=True,
            AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthFlowsUserPoolClient=True,
            AllowedOAuthScopes=[integration_scopes.full_name(scope) for scope in scopes],
            SupportedIdentityProviders=["COGNITO"],
            AccessTokenValidity=60,
            TokenValidityUnits={"AccessToken": "minutes"},
        )["UserPoolClient"]["ClientId"]
    return pool_id, clients


def _placeholder_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "The local runtime runs this function's code in-process (local/invoke.py).\n")
    return buffer.getvalue()


def _create_functions(lambda_: Any, prefix: str, role_arn: str, env: dict[str, str]) -> dict[str, str]:
    code = _placeholder_zip()
    arns = {}
    for spec in catalog.FUNCTIONS:
        arns[spec.name] = lambda_.create_function(
            FunctionName=f"{prefix}-{spec.name}",
            Runtime="python3.11",
            Role=role_arn,
            Handler=spec.handler,
            Code={"ZipFile": code},
            Description=spec.description,
            Timeout=spec.timeout_s,
            MemorySize=spec.memory_mb,
            Environment={"Variables": env},
        )["FunctionArn"]
    return arns


def render_definition(spec: catalog.StateMachineSpec, values: dict[str, str]) -> str:
    """The ASL file with every ``${Name}`` filled, as CDK's ``definition_substitutions`` does."""
    text = spec.definition_file.read_text()
    for name in catalog.SUBSTITUTION_NAMES:
        text = text.replace("${" + name + "}", values[name])
    if "${" in text:
        raise ValueError(f"{spec.definition_file.name}: a substitution outside catalog.SUBSTITUTION_NAMES")
    json.loads(text)  # fail here, not at the first execution
    return text


def _create_state_machines(sfn: Any, resources: Resources, role_arn: str) -> None:
    values = catalog.substitutions(
        workflow_tasks_arn=resources.functions["workflow_tasks"],
        ledger_table=resources.ledger_table,
        event_bus=resources.event_bus,
        import_bucket=resources.import_bucket,
    )
    for spec in catalog.STATE_MACHINES:
        arn = sfn.create_state_machine(
            name=f"{resources.prefix}-{spec.name}",
            definition=render_definition(spec, values),
            roleArn=role_arn,
            type="STANDARD",
        )["stateMachineArn"]
        if arn != resources.state_machines[spec.name]:
            raise RuntimeError(f"moto named {spec.name} {arn}, expected {resources.state_machines[spec.name]}")
