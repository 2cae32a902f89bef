// The part of autocannon's API the load bench uses (the package ships no types).
declare module 'autocannon' {
  interface Histogram { p50: number; p99: number; average: number; max: number }
  interface Result { requests: Histogram & { total: number }; latency: Histogram; non2xx: number; errors: number; timeouts: number; statusCodeStats: Record<string, { count: number }> }
  interface Request { method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (req: Request) => Request }
  interface Options { url: string; connections?: number; duration?: number; requests?: Request[] }
  function autocannon(opts: Options): Promise<Result>;
  namespace autocannon { export type { Result, Request, Options } }
  export default autocannon;
}
