/**
 * Block Kit limits for the blocks Vigil builds, checked before anything is sent: Slack answers
 * `invalid_blocks` for a violation, and an incident card that fails to post is a missed page.
 * Source: https://api.slack.com/reference/block-kit/blocks and .../block-elements.
 */
import { z } from 'zod';

const text = (max: number) =>
  z.object({ type: z.enum(['mrkdwn', 'plain_text']), text: z.string().min(1).max(max), emoji: z.boolean().optional() });
const plainText = (max: number) =>
  z.object({ type: z.literal('plain_text'), text: z.string().min(1).max(max), emoji: z.boolean().optional() });
const id = z.string().min(1).max(255);

const ButtonSchema = z.object({
  type: z.literal('button'),
  text: plainText(75),
  action_id: id,
  url: z.string().max(3000).optional(),
  value: z.string().max(2000).optional(),
  style: z.enum(['primary', 'danger']).optional(),
  /** Slack's own "are you sure?" dialog, shown before the click reaches Vigil. */
  confirm: z
    .object({
      title: plainText(100),
      text: text(300),
      confirm: plainText(30),
      deny: plainText(30),
      style: z.enum(['primary', 'danger']).optional(),
    })
    .optional(),
});

/** A menu of options (https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element). */
const StaticSelectSchema = z.object({
  type: z.literal('static_select'),
  action_id: id,
  placeholder: plainText(150).optional(),
  options: z
    .array(z.object({ text: plainText(75), value: z.string().min(1).max(150), description: plainText(75).optional() }))
    .min(1)
    .max(100),
});

/** What an actions block may hold. */
const ActionElementSchema = z.discriminatedUnion('type', [ButtonSchema, StaticSelectSchema]);
export type ActionElement = z.infer<typeof ActionElementSchema>;

const BlockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('header'), text: plainText(150), block_id: id.optional() }),
  z.object({
    type: z.literal('section'),
    block_id: id.optional(),
    text: text(3000).optional(),
    fields: z.array(text(2000)).max(10).optional(),
  }),
  z.object({ type: z.literal('divider'), block_id: id.optional() }),
  // https://docs.slack.dev/reference/block-kit/blocks/image-block (a chart: by URL or an uploaded file).
  z.object({
    type: z.literal('image'),
    block_id: id.optional(),
    image_url: z.string().max(3000).optional(),
    slack_file: z.object({ id: z.string().optional(), url: z.string().optional() }).optional(),
    alt_text: z.string().min(1).max(2000),
    title: plainText(2000).optional(),
  }),
  z.object({ type: z.literal('context'), block_id: id.optional(), elements: z.array(text(3000)).min(1).max(10) }),
  z.object({
    type: z.literal('actions'),
    block_id: id.optional(),
    elements: z
      .array(ActionElementSchema)
      .min(1)
      .max(25)
      .refine((els) => new Set(els.map((e) => e.action_id)).size === els.length, 'action_id must be unique in a block'),
  }),
]);
export type Block = z.infer<typeof BlockSchema>;

/** Slack's guidance for a single message: cards stay well under it so updates never start failing. */
export const MAX_MESSAGE_CHARS = 12_000;

export const MessageSchema = z
  .object({ text: z.string().min(1).max(40_000), blocks: z.array(BlockSchema).max(50) })
  .refine((m) => JSON.stringify(m.blocks).length <= MAX_MESSAGE_CHARS, 'blocks too long (msg_blocks_too_long)');
export type SlackMessage = z.infer<typeof MessageSchema>;

/**
 * A Home tab view (https://docs.slack.dev/reference/views/home-tab-views): up to 100 blocks, the
 * same block limits as messages, private_metadata ≤ 3000 characters.
 */
export const HomeViewSchema = z.object({
  type: z.literal('home'),
  blocks: z.array(BlockSchema).max(100),
  private_metadata: z.string().max(3000).optional(),
  callback_id: id.optional(),
});
export type HomeView = z.infer<typeof HomeViewSchema>;

export function checkHomeViewLimits(view: HomeView): string[] {
  const result = HomeViewSchema.safeParse(view);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(view)'}: ${i.message}`);
}

export function checkBlockKitLimits(message: SlackMessage): string[] {
  const result = MessageSchema.safeParse(message);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`);
}
