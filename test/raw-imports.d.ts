// Vite's `?raw` imports: the file's text (tests read checked-in SQL scripts this way).
declare module "*.sql?raw" {
  const text: string;
  export default text;
}
