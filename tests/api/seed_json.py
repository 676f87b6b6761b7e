"""The seed document's JSON examples, verbatim (seed: "Generate a video in two API calls"), as response bodies.

Kept as raw JSON text, not dicts, so that the tests parse exactly the bytes the seed shows.
"""

from __future__ import annotations

# Step 1, POST /videos/text2video: "The response returns immediately with a task object."
SEED_CREATE_RESPONSE = """{
  "task": {
    "id": 123456789,
    "type": "m2v_txt2video_hq",
    "status": 5,
    "status_name": "submitted",
    "status_final": false
  },
  "works": [],
  "status": 5,
  "status_name": "submitted",
  "status_final": false,
  "message": ""
}"""

# Step 2, GET /tasks/{task_id}: "Success is status_name: "succeed" (status: 99)".
SEED_SUCCEED_POLL_RESPONSE = """{
  "status": 99,
  "status_name": "succeed",
  "status_final": true,
  "works": [
    {
      "workId": 123456789,
      "status_name": "succeed",
      "resource": {
        "resource": "https://s21-kling.klingai.com/....mp4",
        "height": 1268,
        "width": 724,
        "duration": 5041
      }
    }
  ]
}"""

# Reference §3.2: the doc sample of GET /accounts/{email} (amount 66000 / balance 56000 / total 56000).
ACCOUNT_DETAIL = {
    "email": "a+b@x.com",
    "maxJobs": 3,
    "session": {"userId": "777", "ExpireTime": 1790000000, "ExpireTimeUTC": "2026-09-21T00:00:00.000Z"},
    "password": "…secured…",
    "balance": {
        "total": 56000,
        "points": [
            {
                "orderId": "o1",
                "type": "plan",
                "amount": 66000,
                "balance": 56000,
                "startTime": 1750000000000,
                "endTime": 1790000000000,
            }
        ],
        "tickets": [],
    },
}

ACCOUNTS = {
    "a@x.com": {"email": "a@x.com", "maxJobs": 3},
    "b@x.com": {"email": "b@x.com", "maxJobs": 10},
}

ASSET_DOWNLOAD = {"cdnUrl": "https://cdn.test/clean/123456789.mp4", "status": "success"}
ASSET_UPLOAD = {"status": 3, "url": "https://s21-kling.klingai.com/u/start.png", "message": "", "fileName": "f1"}
