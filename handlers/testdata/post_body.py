"""Post a JSON body of SIZE bytes with Python's urllib, which sends the whole
body before it reads the answer, TIMES times, and print on one line the
status code read each time (or the error got instead, e.g. a reset
connection).

    python3 post_body.py URL SIZE TOKEN TIMES
"""
import sys
import urllib.error
import urllib.request

url, size, token, times = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
head = b'{"title": "big", "text": "'
body = head + b"a" * max(0, size - len(head) - 2) + b'"}'
got = []
for _ in range(times):
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "Authorization": "Bearer " + token,
    })
    try:
        with urllib.request.urlopen(req, timeout=60) as res:
            got.append(str(res.status))
    except urllib.error.HTTPError as e:
        got.append(str(e.code))
    except Exception as e:  # what a reset connection looks like to the client
        got.append(type(e).__name__)
print(" ".join(got))
