"""Load test for a running Baton API with Locust (https://locust.io).

    pip install locust
    locust -f loadtest/locustfile.py --host http://localhost:3000
    # headless: 200 users, 20 new per second, 5 minutes
    locust -f loadtest/locustfile.py --host http://localhost:3000 --headless -u 200 -r 20 -t 5m

The run deploys loadtest/order-process.bpmn first (set BATON_DEPLOY=0 to skip).
Three kinds of users share the load (weights 6 : 2 : 2):

- OrderCustomer starts OrderProcess instances with {"variables": {"amount": 100}};
- OrderClerk completes the "Approve order" user tasks those instances reach;
- ChargeCardWorker is a job worker: it activates "charge-card" jobs and completes them.

Each waits 1 to 3 s between its tasks. Locust reports requests/s, latency
percentiles and failures per request name.
"""

import os
import uuid
from pathlib import Path

from locust import HttpUser, between, events, task

API = "/api/v1"
PROCESS_KEY = os.environ.get("BATON_PROCESS_KEY", "OrderProcess")
JOB_TYPE = os.environ.get("BATON_JOB_TYPE", "charge-card")
BPMN_FILE = Path(__file__).with_name("order-process.bpmn")


@events.test_start.add_listener
def deploy_order_process(environment, **_kwargs):
    """Deploys the BPMN once per run (an identical redeploy is a no-op: 200 and the same version)."""
    if os.environ.get("BATON_DEPLOY", "1") == "0" or environment.host is None:
        return
    import urllib.request

    request = urllib.request.Request(
        f"{environment.host}{API}/processes",
        data=BPMN_FILE.read_bytes(),
        headers={"Content-Type": "application/xml"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status not in (200, 201):
            raise RuntimeError(f"deploying {BPMN_FILE.name} answered {response.status}")


class OrderCustomer(HttpUser):
    """Starts instances: the hot path (one row and one queued work item per request)."""

    weight = 6
    wait_time = between(1, 3)

    @task
    def start_order(self):
        with self.client.post(
            f"{API}/processes/{PROCESS_KEY}/instances",
            json={"variables": {"amount": 100}},
            name="POST /processes/{key}/instances",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"expected 201, got {response.status_code}: {response.text[:200]}")


class OrderClerk(HttpUser):
    """Completes open user tasks of the process, the way a task list would."""

    weight = 2
    wait_time = between(1, 3)

    @task
    def complete_a_task(self):
        response = self.client.get(
            f"{API}/tasks", params={"processKey": PROCESS_KEY, "limit": 10}, name="GET /tasks"
        )
        if response.status_code != 200:
            return
        for item in response.json().get("items", [])[:3]:
            with self.client.post(
                f"{API}/tasks/{item['id']}/complete",
                json={"variables": {"approved": True}},
                name="POST /tasks/{id}/complete",
                catch_response=True,
            ) as done:
                # Another clerk may have completed it first: 409 is not a failure of the system.
                if done.status_code in (200, 409):
                    done.success()
                else:
                    done.failure(f"expected 200, got {done.status_code}")


class ChargeCardWorker(HttpUser):
    """A job worker over REST: activate a few jobs, complete each."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        self.worker_id = f"locust-{uuid.uuid4().hex[:8]}"

    @task
    def work_jobs(self):
        response = self.client.post(
            f"{API}/jobs/activate",
            json={"type": JOB_TYPE, "workerId": self.worker_id, "maxJobs": 10, "lockDurationMs": 30000},
            name="POST /jobs/activate",
        )
        if response.status_code != 200:
            return
        for job in response.json().get("jobs", []):
            with self.client.post(
                f"{API}/jobs/{job['id']}/complete",
                json={"workerId": self.worker_id, "variables": {"charged": True}},
                name="POST /jobs/{id}/complete",
                catch_response=True,
            ) as done:
                if done.status_code in (200, 204):
                    done.success()
                else:
                    done.failure(f"expected 204, got {done.status_code}")
