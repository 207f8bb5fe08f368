class Stack:
    def __init__(self):
        self.items = []

    def push(self, item):
        self.items.append(item)

    def pop(self):
        return self.items.pop()


s = Stack()
for ch in "abc":
    s.push(ch)
top = s.pop()
print(top, s.items)
