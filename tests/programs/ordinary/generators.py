def gen(n):
    i = 0
    while i < n:
        yield i
        i += 1
    return "done"


out = []
for v in gen(2):
    out.append(v)
