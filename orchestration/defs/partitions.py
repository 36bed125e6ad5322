"""The programme partitions: every asset is partitioned by programme, and a partition's key
is the programme's id (`[programme] id`, else its folder's name; lib/programme_root.py).

A single programme folder is one partition; a root of several programme folders is one
partition per folder. Partitions are added as programmes are found: by `idream run`, by
the sensor when a new programme folder appears, and by the daily schedule.
"""

import dagster as dg

PROGRAMMES = dg.DynamicPartitionsDefinition(name="programmes")
# The tag Dagster sets on a partitioned run; a resource's set-up sees the run, not the
# step's partition key.
PARTITION_TAG = "dagster/partition"


def programme_of_run(run: dg.DagsterRun) -> str:
    """The id of the programme a run builds."""
    programme_id = run.tags.get(PARTITION_TAG)
    if not programme_id:
        raise dg.Failure(
            description="every asset is partitioned by programme: choose the programme "
            "(its partition) to run"
        )
    return programme_id


def add_programmes(instance: dg.DagsterInstance, programme_ids: list[str]) -> list[str]:
    """Add the programmes that are not partitions yet; returns those added."""
    known = set(instance.get_dynamic_partitions(PROGRAMMES.name))
    new = [programme_id for programme_id in programme_ids if programme_id not in known]
    if new:
        instance.add_dynamic_partitions(PROGRAMMES.name, new)
    return new
