class TodoList:
    def __init__(self):
        self.tasks = []

    def add(self, title, priority=2):
        self.tasks.append({"title": title, "priority": priority, "done": False})

    def complete(self, title):
        for task in self.tasks:
            if task["title"] == title:
                task["done"] = True

    def pending(self):
        open_tasks = [t for t in self.tasks if not t["done"]]
        return [t["title"] for t in sorted(open_tasks, key=lambda t: t["priority"])]


todo = TodoList()
todo.add("laundry", 3)
todo.add("taxes", 1)
todo.add("call mom")
todo.complete("laundry")
print(todo.pending())
