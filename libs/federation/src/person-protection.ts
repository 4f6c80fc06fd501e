import type { BorderSubject } from './border-rules';

/**
 * Flags (intake's vulnerability flags, lower case) that mean the person sought or has
 * international protection in the host node: an asylum claim lodged here, or refugee status
 * recognized here. Either blocks the node of their nationality, like a fear of return.
 */
export const ASYLUM_FLAGS = ['asylum_claim', 'recognized_refugee'] as const;

/** The protection part of a border subject, from a person's recorded flags. */
export function protectionOf(flags: readonly string[]): Pick<BorderSubject, 'fearOfReturn' | 'asylumClaim' | 'protectionFlags'> {
  return {
    fearOfReturn: flags.includes('fear_of_return'),
    asylumClaim: ASYLUM_FLAGS.some((f) => flags.includes(f)),
    protectionFlags: [...flags],
  };
}
