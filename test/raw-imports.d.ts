// Vite's ?raw imports, used by tests to read committed files.
declare module "*?raw" {
  const content: string;
  export default content;
}
