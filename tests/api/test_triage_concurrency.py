"""Concurrent sweeps (several worker processes) start one investigation per alert, not two.

On PostgreSQL two sweeps used to read the same untriaged alert before either committed, and
each started an investigation for it (found with four worker processes: 203 investigations for
200 alerts). The untriaged alerts are now read ``FOR UPDATE``: the second sweep waits for the
first and then finds them triaged. SQLite serialises writers, which gives the same result.
"""

from __future__ import annotations

import threading
import time

from autoir.bootstrap import Container
from autoir.services.investigations import TRIAGE_LOOKBACK
from tests.support import alerts as A

REPORTED = "Email reported by user as malware or phish"


def test_a_sweep_waits_for_a_concurrent_triage_of_the_same_alerts(container: Container) -> None:
    service = container.automation.investigations
    (alert_id,) = container.ingest.ingest(
        [
            A.alert(
                title=REPORTED,
                serviceSource="microsoftDefenderForOffice365",
                detectionSource="microsoftDefenderForOffice365",
                category="InitialAccess",
                evidence=[{"@odata.type": A.ODATA + "urlEvidence", "url": "https://x.example/a"}],
            )
        ]
    ).ids
    now = container.ctx.clock.now()
    swept: list[list[str]] = []
    other = threading.Thread(target=lambda: swept.append(service.sweep()))
    with container.ctx.uow() as uow:
        # The first sweep has read the alert and is triaging it ...
        assert uow.investigations.untriaged_alerts(now - TRIAGE_LOOKBACK, 200) == [alert_id]
        other.start()
        time.sleep(0.5)
        # ... a second sweep must not triage it meanwhile.
        assert other.is_alive(), f"the second sweep did not wait: {swept}"
        (alert,) = uow.alerts.get_many([alert_id])
        first = service._triage_one(uow, alert)
        uow.commit()
    other.join(10)
    assert first is not None
    assert swept == [[first]]  # the second sweep enqueues the first's run, starts none
    assert service.ids_for([alert_id]) == {alert_id: first}
    with container.ctx.read_uow() as uow:
        assert uow.investigations.for_alert(alert_id) == first
    from sqlalchemy import text

    with container.engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM investigations")).scalar_one()
    assert count == 1
