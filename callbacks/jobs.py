"""The one way long work runs: a background callback with Run/Cancel and a progress bar.

Every simulation, comparison, review and pack build is the same shape: the Run button
is disabled and Cancel enabled while the job runs, the progress bar shows the value
and a label, and the job runs under the app's background manager (diskcache on one
machine, Celery when scaled out).
"""

from __future__ import annotations

from typing import Any

from dash import Input, Output


def job(run: str, cancel: str, progress: str, *extra_progress: Output) -> dict[str, Any]:
    """Keyword arguments for ``app.callback`` that make it a cancellable background job."""
    return {
        "background": True,
        "running": [(Output(run, "disabled"), True, False), (Output(cancel, "disabled"), False, True)],
        "cancel": [Input(cancel, "n_clicks")],
        "progress": [Output(progress, "value"), Output(progress, "label"), *extra_progress],
        "prevent_initial_call": True,
    }
