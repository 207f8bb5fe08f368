responses = [None, None, "payload"]
attempt = 0


def fetch():
    global attempt
    attempt += 1
    reply = responses[attempt - 1]
    if reply is None:
        raise ConnectionError(f"attempt {attempt} failed")
    return reply


for _ in range(5):
    try:
        data = fetch()
        print("got", data)
        break
    except ConnectionError as e:
        print("retrying:", e)
print("attempts used:", attempt)
