// Typings for the `jenkins` client (v1, CommonJS, promise API): the calls this project makes,
// in both the options-object and the positional form the client accepts. Responses are
// `unknown`: callers parse them (zod) before trusting a field.
declare module 'jenkins' {
  class Jenkins {
    constructor(opts: Jenkins.Options);
    info(): Promise<unknown>;
    crumbIssuer: { get(): Promise<unknown> };
    job: {
      build(opts: { name: string; parameters?: Record<string, string>; delay?: string; token?: string }): Promise<unknown>;
      build(name: string, parameters?: Record<string, string>): Promise<unknown>;
      get(opts: { name: string } & Jenkins.TreeOptions): Promise<unknown>;
      get(name: string, opts?: Jenkins.TreeOptions): Promise<unknown>;
      exists(name: string): Promise<boolean>;
    };
    build: {
      get(opts: { name: string; number: number } & Jenkins.TreeOptions): Promise<unknown>;
      get(name: string, number: number, opts?: Jenkins.TreeOptions): Promise<unknown>;
      stop(name: string, number: number): Promise<void>;
    };
    queue: {
      item(opts: { number: number } & Jenkins.TreeOptions): Promise<unknown>;
      item(number: number, opts?: Jenkins.TreeOptions): Promise<unknown>;
      list(opts?: Jenkins.TreeOptions): Promise<unknown>;
      cancel(number: number): Promise<void>;
    };
  }
  namespace Jenkins {
    interface CrumbData {
      headerName: string;
      headerValue: string;
      cookies?: string;
    }
    interface Options {
      baseUrl: string;
      crumbIssuer?: boolean | ((client: Jenkins) => Promise<CrumbData>);
      headers?: Record<string, string>;
      timeout?: number;
      promisify?: boolean;
    }
    interface TreeOptions {
      tree?: string;
      depth?: number;
    }
  }
  export = Jenkins;
}
