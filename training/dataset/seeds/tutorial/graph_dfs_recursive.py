edges = {1: [2, 3], 2: [4], 3: [4, 5], 4: [6], 5: [], 6: []}
order = []


def visit(node, seen):
    seen.add(node)
    order.append(node)
    for neighbour in edges[node]:
        if neighbour not in seen:
            visit(neighbour, seen)


visit(1, set())
print("visit order:", order)
