from collections import deque

ring = deque([1, 2, 3, 4, 5])
ring.rotate(2)
print(list(ring))
ring.rotate(-3)
print(list(ring))
ring.appendleft(0)
ring.append(6)
last = ring.pop()
first = ring.popleft()
print(first, last, list(ring))
