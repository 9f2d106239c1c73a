/** Why a packet failed: the errno of its `Enn` reply and a line for the server's log. */
export class PacketError extends Error {
  constructor(readonly errno: number, message: string) {
    super(message);
  }
}

/** A request the server's policy refuses: already noted on stderr in its own words. */
export class Refused extends PacketError {}
