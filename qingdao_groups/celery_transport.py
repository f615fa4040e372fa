"""kombu's filesystem transport (the embedded default of `make run`), with each message written
whole before a worker can see it.

kombu writes the message file in place while the worker polls the same folder and moves away
any file named `<…>.<queue>.msg`: a worker that lists the folder between the file's creation and
its write reads an empty file and stops with "Unrecoverable error: JSONDecodeError" (seen in
CI). Here the message is written under a name the worker ignores (`….msg.part`) and renamed
into place, which is atomic within a folder."""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import TRANSPORT_ALIASES, filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = f"{final}.part"
        try:
            with open(partial, "wb") as f:
                f.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel


def install() -> None:
    """Make `filesystem://` mean this transport in this process (called by the Celery app)."""
    TRANSPORT_ALIASES["filesystem"] = "qingdao_groups.celery_transport:Transport"
