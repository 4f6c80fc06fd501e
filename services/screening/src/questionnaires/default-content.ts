import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileQuestionnaire, type CompiledQuestionnaire } from './definition';

/** Directory of the questionnaires that ship with Puente (one JSON definition per file). */
export const DEFAULT_CONTENT_DIR = join(__dirname, 'default');

export class DefaultContentError extends Error {
  override readonly name = 'DefaultContentError';
}

/**
 * Reads and validates every shipped questionnaire. Throws DefaultContentError naming the file
 * and the first problems when one is invalid: a node must not start with broken default content.
 */
export function loadDefaultQuestionnaires(dir: string = DEFAULT_CONTENT_DIR): CompiledQuestionnaire[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return files.map((file) => {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      throw new DefaultContentError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
    const { questionnaire, issues } = compileQuestionnaire(json);
    if (!questionnaire) {
      const shown = issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`);
      throw new DefaultContentError(`${file} is not a valid questionnaire (${issues.length} problems):\n  ${shown.join('\n  ')}`);
    }
    return questionnaire;
  });
}
