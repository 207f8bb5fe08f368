def logged(func):
    def wrapper(*args):
        print("calling", func.__name__, "with", args)
        result = func(*args)
        print(func.__name__, "returned", result)
        return result
    return wrapper


@logged
def area(width, height):
    return width * height


@logged
def shout(word):
    return word.upper()


area(3, 4)
shout("quiet")
