"""The scheduled jobs (daily: autopay runs, due-date reminders, overdue notices, the GL journal, the daily close;
every few minutes: the payment reconciler): EventBridge Scheduler schedules that invoke the ``scheduled_jobs``
function, and what that function may touch.

Failures end in one dead-letter queue (alarmed by Observability): a schedule's delivery that Scheduler could not
make after its retries, and an invocation whose job raised after Lambda's own retries (the function's
asynchronous-invocation failure destination). Every job is safe to run again, so retrying is always right.

Times are UTC, early enough that the UTC date is the agency's local date in the Americas (the jobs work on
"today"): autopay before the business day, emails during it.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, TimeZone
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_destinations as destinations
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as targets
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from infrastructure import permissions
from infrastructure.constructs.notifications import Notifications

PAYMENT_RETRY_VARIABLE = "PAYMENT_RETRY_STATE_MACHINE_ARN"
# job -> (hour, minute) in UTC
JOB_TIMES: dict[str, tuple[int, int]] = {
    "autopay": (10, 0),
    "reminders": (14, 0),
    "overdue": (14, 30),
    # the previous banking day's GL journal (issue 14): after midnight in the Americas, so that day is over; the
    # job itself does nothing on a day that is not a banking day
    "journal": (11, 0),
    # the previous banking day's close (issue 14): after the journal and settlement (both 11:00), so it finds the
    # day's journal and the payouts recorded as deposits; it builds the journal itself if it is not there yet
    "close": (12, 0),
}
# The reconciler (issue 10): posts charges whose payment was never recorded and closes intents without a charge,
# once an intent has been open a few minutes (domain/payment_intents.py RECONCILE_AFTER), so it runs that often.
RECONCILE_JOB = "reconcile"
RECONCILE_EVERY = Duration.minutes(5)
RETRY_ATTEMPTS = 2
MAX_EVENT_AGE = Duration.hours(6)  # a day's run that cannot start within hours waits for an operator
# Emitted by the journal job (functions/scheduled_jobs) when a day's journal cannot be built: a code the chart of
# accounts does not map, lines that do not balance, a store or the processor failing. No dimension.
JOURNAL_METRIC_NAMESPACE = "ArPortal"
JOURNAL_BUILD_FAILED = "JournalBuildFailed"
JOURNALS_PREFIX = "journals/*"  # where the journal files go in the audit bucket


class ScheduledJobs(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        key: kms.IKey,
        jobs: lambda_.Function,
        payment_retry: sfn.IStateMachine,
        ledger: dynamodb.ITable,
        audit: dynamodb.ITable,
        notifications: Notifications,
        journals_bucket: s3.IBucket | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.function = jobs
        self.dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        # What the jobs touch: the ledger (due items, schedules, notice markers, payment intents and postings),
        # the audit table (append-only: read the chain head, put records), mail, and payment_retry. The reconciler
        # also reads the processor secret (granted with the secret, in the stack).
        permissions.grant_table(ledger, jobs, "scheduled_jobs")
        permissions.grant_table(audit, jobs, "scheduled_jobs", append_only=True)
        notifications.grant_send(jobs)
        payment_retry.grant_start_execution(jobs)
        if journals_bucket is not None:
            # The journal job writes each batch's files once, under journals/ (Object Lock keeps them).
            journals_bucket.grant_put(jobs, JOURNALS_PREFIX)
            # The close reads the day's batches back, checking each file against its recorded hash.
            journals_bucket.grant_read(jobs, JOURNALS_PREFIX)
        jobs.add_environment(PAYMENT_RETRY_VARIABLE, payment_retry.state_machine_arn)
        jobs.configure_async_invoke(
            retry_attempts=RETRY_ATTEMPTS,
            max_event_age=MAX_EVENT_AGE,
            on_failure=destinations.SqsDestination(self.dead_letters),
        )

        # Our own role for every schedule (aws-cdk-lib would make one at stack level): it invokes the jobs function
        # and writes a failed delivery to the dead-letter queue, which is under the stack key, so it must also use
        # that key to send (SQS server-side encryption asks the sender for GenerateDataKey and Decrypt).
        self.scheduler_role = iam.Role(
            self,
            "SchedulerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com", conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}}
            ),
            description="EventBridge Scheduler: invoke the scheduled_jobs function, dead-letter what it cannot deliver",
        )
        key.grant(self.scheduler_role, "kms:GenerateDataKey", "kms:Decrypt")

        self.group = scheduler.ScheduleGroup(self, "Group")
        self.schedules: dict[str, scheduler.Schedule] = {}
        for job, (hour, minute) in JOB_TIMES.items():
            self.schedules[job] = scheduler.Schedule(
                self,
                f"{job.capitalize()}Schedule",
                description=f"Daily {job} job of the Receivables Portal",
                schedule_group=self.group,
                schedule=scheduler.ScheduleExpression.cron(
                    hour=str(hour), minute=str(minute), time_zone=TimeZone.ETC_UTC
                ),
                target=targets.LambdaInvoke(
                    jobs,
                    input=scheduler.ScheduleTargetInput.from_object({"job": job}),
                    dead_letter_queue=self.dead_letters,
                    retry_attempts=RETRY_ATTEMPTS,
                    max_event_age=MAX_EVENT_AGE,
                    role=self.scheduler_role,
                ),
            )
        self.schedules[RECONCILE_JOB] = scheduler.Schedule(
            self,
            "ReconcileSchedule",
            description="Payment reconciler of the Receivables Portal: every charge ends up recorded",
            schedule_group=self.group,
            schedule=scheduler.ScheduleExpression.rate(RECONCILE_EVERY),
            target=targets.LambdaInvoke(
                jobs,
                input=scheduler.ScheduleTargetInput.from_object({"job": RECONCILE_JOB}),
                dead_letter_queue=self.dead_letters,
                retry_attempts=RETRY_ATTEMPTS,
                max_event_age=MAX_EVENT_AGE,
                role=self.scheduler_role,
            ),
        )

    def journal_build_failed_metric(self) -> cloudwatch.Metric:
        """``ArPortal``/``JournalBuildFailed``: a day's GL journal that could not be built (the stack alarms on it)."""
        return cloudwatch.Metric(
            namespace=JOURNAL_METRIC_NAMESPACE,
            metric_name=JOURNAL_BUILD_FAILED,
            statistic="Sum",
            period=Duration.minutes(5),
        )
