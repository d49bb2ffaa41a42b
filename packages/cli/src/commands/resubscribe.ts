/** `secretwatch resubscribe`: the command lives with its logic, in ../resubscribe/command.ts. */
export { resubscribeCommand } from "../resubscribe/command.js";
