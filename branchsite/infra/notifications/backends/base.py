from .. import TextMessage


class BaseBackend:
    """Sends one text message. Subclasses take their options as keyword arguments (falling back
    to settings) and raise `NotificationNotSent` when a message did not leave."""

    def __init__(self, **options) -> None:
        if options:
            raise TypeError(f"{type(self).__name__} takes no options {sorted(options)}")

    def send(self, message: TextMessage) -> None:
        raise NotImplementedError
