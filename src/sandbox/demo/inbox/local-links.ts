/**
 * Links into the simulators, shown on the inbox instead. A pull request's html_url and a
 * Jenkins build URL point at local stand-ins that have no pages for people (the GitHub
 * simulator answers JSON, the Jenkins one asks for a password), so the inbox links them to
 * its own card for that pull request or build.
 */
import type { Rewrite } from './format.js';

export interface SimulatorUrls {
  jenkins: string;
  github: string;
}

export function pullAnchor(number: number): string {
  return `pull-${number}`;
}

export function buildAnchor(job: string, number: number): string {
  return `build-${job.replace(/[^A-Za-z0-9_-]+/g, '-')}-${number}`;
}

export function localLinks(sims: SimulatorUrls): Rewrite {
  return (url) => {
    if (url.startsWith(`${sims.github}/`)) {
      const pull = /\/pull\/(\d+)\/?$/.exec(url)?.[1];
      return pull ? `/#${pullAnchor(Number(pull))}` : url;
    }
    if (url.startsWith(`${sims.jenkins}/`)) {
      // /job/a/job/b/7/ → job "a/b", build 7
      const segments = url.slice(sims.jenkins.length).split('/').filter(Boolean).map(decodeURIComponent);
      const names: string[] = [];
      let i = 0;
      while (segments[i] === 'job' && segments[i + 1] !== undefined) {
        names.push(segments[i + 1] ?? '');
        i += 2;
      }
      const number = segments[i];
      return names.length > 0 && number !== undefined && /^\d+$/.test(number) ? `/#${buildAnchor(names.join('/'), Number(number))}` : url;
    }
    return url;
  };
}
