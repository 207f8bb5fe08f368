def greet(name, greeting="Hello", punctuation="!"):
    return greeting + ", " + name + punctuation


print(greet("Maria"))
print(greet("Tom", "Hi"))
print(greet("Lee", punctuation="?"))
print(greet(greeting="Good morning", name="Sam"))
