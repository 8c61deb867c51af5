// The dev dependency "express-4" is Express 4 under another name; its API, as far as the
// tests use it, has the same types as Express 5's.
declare module "express-4" {
  import express from "express";
  export default express;
}
