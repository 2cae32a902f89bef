/**
 * Small synthetic corpora for recommendation tests: papers of a few topics whose titles and
 * abstracts draw on each topic's own vocabulary plus words every paper shares.
 */
export const TOPICS = {
  graphs: ['graph', 'neural', 'message', 'passing', 'molecule', 'node', 'edge', 'molecular', 'property', 'prediction', 'chemistry', 'drug'],
  speech: ['speech', 'recognition', 'acoustic', 'audio', 'spoken', 'phoneme', 'speaker', 'transcription', 'waveform', 'asr', 'utterance', 'prosody'],
  galaxies: ['galaxy', 'cluster', 'dark', 'matter', 'halo', 'cosmological', 'redshift', 'stellar', 'lensing', 'survey', 'telescope', 'cosmic'],
  robots: ['robot', 'manipulation', 'grasping', 'policy', 'gripper', 'locomotion', 'control', 'trajectory', 'embodied', 'arm', 'tactile', 'sim2real'],
} as const;
export type Topic = keyof typeof TOPICS;

const SHARED = ['we', 'model', 'data', 'performance', 'evaluate', 'benchmark', 'training', 'large', 'efficient', 'learning', 'task', 'improve'];

/** Deterministic text for the n-th paper of a topic. */
export function topicText(topic: Topic, n: number): { title: string; abstract: string } {
  const v = TOPICS[topic];
  const pick = (k: number) => v[(n * 7 + k * 5) % v.length];
  const s = (k: number) => SHARED[(n * 3 + k) % SHARED.length];
  return {
    title: `${pick(0)} ${pick(1)} for ${pick(2)} ${s(0)} ${n}`,
    abstract: `We study ${pick(3)} ${pick(4)} and ${pick(5)} ${pick(6)}. Our ${s(1)} ${s(2)} of ${pick(7)} ${pick(8)} shows ${s(3)} ${s(4)} on ${pick(9)} ${pick(10)} ${pick(11)} ${s(5)}.`,
  };
}
