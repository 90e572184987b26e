import type { CommandInstaller } from "./command.ts";
import { exitCodes } from "./exit-codes.ts";
import { remoteApi, remoteOptions, type RemoteFlags } from "./remote.ts";

/** `vigil notify test --channel ID`: a test message through a channel of a running Vigil. */
export const notifyCommand: CommandInstaller = (program, io, finish) => {
  const notify = program.command("notify").description("notification channels of a running Vigil (VIGIL_URL, VIGIL_TOKEN)");
  remoteOptions(notify.command("test").description("send a test message through a channel now"))
    .requiredOption("--channel <id>", "the channel's id, e.g. oncall")
    .option("--json", "print JSON")
    .action(async (flags: RemoteFlags & { channel: string; json?: boolean }) => {
      const result = (await remoteApi(io, flags).send("POST", `/api/v1/channels/${encodeURIComponent(flags.channel)}/test`)) as { ok: boolean; retryable: boolean | null; detail: string | null };
      if (flags.json) io.stdout(`${JSON.stringify(result)}\n`);
      else if (result.ok) io.stdout(`sent a test message through ${flags.channel}${result.detail ? ` (${result.detail})` : ""}\n`);
      else io.stderr(`the test message through ${flags.channel} failed${result.retryable ? " (worth retrying)" : ""}: ${result.detail ?? "unknown error"}\n`);
      finish(result.ok ? exitCodes.ok : exitCodes.failed);
    });
};
