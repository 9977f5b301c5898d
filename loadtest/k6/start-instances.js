// k6 load test (https://k6.io): start OrderProcess instances at a fixed arrival rate and
// hold the API to its latency target (p95 < 15 ms at 1,000 starts/s: bench/README.md).
//
//   k6 run loadtest/k6/start-instances.js
//   k6 run -e BASE_URL=http://localhost:3000 -e RATE=1000 -e DURATION=2m loadtest/k6/start-instances.js
//
// setup() deploys loadtest/order-process.bpmn (DEPLOY=0 skips it). The run fails when a
// threshold is crossed: p95 of the start request >= 15 ms, more than 1 % failed requests,
// or fewer than 99 % of the answers a 201.
import http from 'k6/http';
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL || 'http://localhost:3000';
const PROCESS_KEY = __ENV.PROCESS_KEY || 'OrderProcess';
const RATE = Number(__ENV.RATE || 500);
const DURATION = __ENV.DURATION || '1m';
const BPMN = __ENV.DEPLOY === '0' ? null : open('../order-process.bpmn');

export const options = {
  scenarios: {
    start_instances: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: Math.max(10, Math.ceil(RATE / 20)),
      maxVUs: Math.max(50, RATE),
    },
  },
  thresholds: {
    'http_req_duration{name:start}': ['p(95)<15', 'p(99)<50'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
  },
};

export function setup() {
  if (BPMN === null) return;
  const res = http.post(`${BASE_URL}/api/v1/processes`, BPMN, {
    headers: { 'Content-Type': 'application/xml' },
    tags: { name: 'deploy' },
  });
  if (res.status !== 200 && res.status !== 201) {
    throw new Error(`deploying order-process.bpmn answered ${res.status}: ${res.body}`);
  }
}

export default function () {
  const res = http.post(
    `${BASE_URL}/api/v1/processes/${PROCESS_KEY}/instances`,
    JSON.stringify({ variables: { amount: 100 } }),
    { headers: { 'Content-Type': 'application/json' }, tags: { name: 'start' } },
  );
  check(res, {
    'started (201)': (r) => r.status === 201,
    'has an instance id': (r) => r.status === 201 && typeof r.json('id') === 'string',
  });
}
