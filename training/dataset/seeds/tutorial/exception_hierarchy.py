class AppError(Exception):
    pass


class NotFound(AppError):
    pass


class PermissionDenied(AppError):
    pass


def open_resource(name):
    if name.startswith("/secret"):
        raise PermissionDenied(name)
    if name.endswith(".tmp"):
        raise NotFound(name)
    return "contents of " + name


for path in ["/home/readme", "/secret/key", "/var/cache.tmp"]:
    try:
        print(open_resource(path))
    except NotFound as e:
        print("missing:", e)
    except AppError as e:
        print("app error", type(e).__name__, e)
