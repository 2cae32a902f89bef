// The part of autocannon's API the load bench uses (the package ships no types; bench/api declares
// a smaller slice of the module, so this bench types its own use by a cast).
export interface Histogram { p50: number; p99: number; average: number; max: number }
export interface Result { requests: Histogram & { total: number }; latency: Histogram; non2xx: number; errors: number; timeouts: number; statusCodeStats?: Record<string, { count: number }> }
export interface Request { method?: string; path?: string; headers?: Record<string, string>; body?: string; setupRequest?: (req: Request) => Request }
export interface Options { url: string; connections?: number; duration?: number; headers?: Record<string, string>; requests?: Request[] }
export type Autocannon = (opts: Options) => Promise<Result>;
