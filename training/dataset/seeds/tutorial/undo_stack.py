text = ""
history = []
actions = [("type", "Hel"), ("type", "lo"), ("undo", None), ("type", "p!"), ("undo", None), ("undo", None)]
for action, arg in actions:
    if action == "type":
        history.append(text)
        text += arg
    elif history:
        text = history.pop()
    print(action, repr(text))
