"""The daily aggregates of repository activity (metrics.models.aggregates): what each activity row
contributes to them (`facts`), keeping them in step with the writes of those rows (`keeping`), and
rebuilding any range of days from the rows (`rebuild`); and the first response kept on each issue and
request (`responses`).

One rule in one place: a row's contribution is computed by `facts` alone, for the incremental path and
the rebuild alike, so a rebuilt day equals the kept one."""

from metrics.daily.keeping import chunked_in, kept
from metrics.daily.rebuild import rebuild_daily_aggregates
from metrics.daily.responses import first_responses_refresh_numbers

__all__ = ["chunked_in", "first_responses_refresh_numbers", "kept", "rebuild_daily_aggregates"]
