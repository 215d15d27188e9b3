"""Windows event log files (``.evtx``) read with the Rust ``evtx`` parser (pyevtx-rs).

Each record comes out as the parser's JSON rendering (``{"Event": {"System", "EventData"}}``);
:mod:`autoir.domain.telemetry.windows_events` maps the ones AutoIR uses to endpoint events. A
damaged record or chunk is reported and skipped; the rest of the file is still read.
"""

from autoir.winlog.reader import EvtxRecord, iter_evtx, iter_evtx_files

__all__ = ["EvtxRecord", "iter_evtx", "iter_evtx_files"]
