/**
 * Thrown before any resource is built when one or more settings are invalid.
 * The message lists every problem on its own line, each naming its setting.
 */
export class InvalidSettingsError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    const lines = problems.map((problem) => `  - ${problem}`);
    super(
      `Invalid Split KMS settings (CDK context). Fix each one in cdk.json or with "-c name=value":\n${lines.join('\n')}`,
    );
    this.name = 'InvalidSettingsError';
    this.problems = Object.freeze([...problems]);
  }
}
