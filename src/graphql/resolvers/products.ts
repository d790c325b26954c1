import type { GraphQLResolveInfo } from "graphql";
import { newAggregateId } from "../../commands/command-bus.ts";
import type { ProductView } from "../../commands/product-write-model.ts";
import type { ProductCommand } from "../../domain/product/product.ts";
import { readDb } from "../../db/read-db.ts";
import { listProducts, listProductsWithCategories, productById, searchProducts, type ProductRow } from "../../projections/product-queries.ts";
import { idArgument, page, searchPattern } from "../arguments.ts";
import { commandOptions, runCommand, type GraphQLContext } from "../context.ts";
import { awaitReadModel } from "../read-your-writes.ts";
import { primeCategories } from "../loaders.ts";
import { selectsField } from "../selection.ts";
import { findCategory } from "./categories.ts";
import { eventTime } from "./event-times.ts";

export const productTypeDefs = /* GraphQL */ `
  type Product {
    id: ID!
    name: String!
    description: String
    categoryId: ID!
    category: Category
    price: Decimal!
    "Units available to sell."
    stockQuantity: Int!
    "Units held for orders that are not confirmed yet."
    reservedQuantity: Int!
    "False once deleted (deletes are soft)."
    active: Boolean!
    version: Int!
    createdAt: String!
    updatedAt: String!
  }

  input CreateProductInput {
    name: String!
    description: String
    categoryId: ID!
    price: Decimal!
    stockQuantity: Int!
  }

  input UpdateProductInput {
    id: ID!
    name: String
    description: String
    categoryId: ID
  }

  input ChangeProductPriceInput {
    id: ID!
    price: Decimal!
  }

  input UpdateStockInput {
    id: ID!
    "The new quantity available to sell (a stock count, not a delta)."
    quantity: Int!
  }

  input DeleteProductInput {
    id: ID!
  }

  extend type Query {
    product(id: ID!, minPosition: String): Product
    products(categoryId: ID, minPrice: Decimal, maxPrice: Decimal, includeDeleted: Boolean = false, limit: Int = 20, offset: Int = 0, minPosition: String): [Product!]!
    "Active products whose name or description contains the query (case-insensitive)."
    searchProducts(query: String!, limit: Int = 20, minPosition: String): [Product!]!
  }

  extend type Mutation {
    createProduct(input: CreateProductInput!): Product!
    updateProduct(input: UpdateProductInput!): Product!
    changeProductPrice(input: ChangeProductPriceInput!): Product!
    updateStock(input: UpdateStockInput!): Product!
    deleteProduct(input: DeleteProductInput!): Product!
  }
`;

type ProductResult = ProductView & { createdAt?: string; updatedAt?: string };
function fromRow(row: ProductRow): ProductResult {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

async function execute(context: GraphQLContext, id: string, command: ProductCommand): Promise<ProductResult> {
  return (await runCommand(context, "product", id, command)).view as ProductView;
}

export async function findProduct(context: GraphQLContext, id: string): Promise<ProductResult | null> {
  const row = await productById(readDb(await context.db.get()), id);
  return row ? fromRow(row) : null;
}

type Args<T> = { input: T };

export const productResolvers = {
  Query: {
    product: async (_: unknown, args: { id: string; minPosition?: string }, context: GraphQLContext, info: GraphQLResolveInfo) => {
      const id = idArgument(args.id);
      await awaitReadModel(context, info, "products", args.minPosition);
      return findProduct(context, id);
    },
    products: async (
      _: unknown,
      args: { categoryId?: string | null; minPrice?: string | null; maxPrice?: string | null; includeDeleted?: boolean; limit?: number; offset?: number; minPosition?: string },
      context: GraphQLContext,
      info: GraphQLResolveInfo,
    ) => {
      const { limit, offset } = page(args);
      const categoryId = args.categoryId ? idArgument(args.categoryId, "categoryId") : undefined;
      const filter = {
        categoryId,
        minPrice: args.minPrice ?? undefined,
        maxPrice: args.maxPrice ?? undefined,
        includeDeleted: args.includeDeleted ?? false,
        limit,
        offset,
      };
      if (!selectsField(info, "category")) {
        await awaitReadModel(context, info, "products", args.minPosition);
        return (await listProducts(readDb(await context.db.get()), filter)).map(fromRow);
      }
      // The categories come from their own read model, which must have reached the position too.
      await Promise.all([awaitReadModel(context, info, "products", args.minPosition), awaitReadModel(context, info, "categories")]);
      const rows = await listProductsWithCategories(readDb(await context.db.get()), filter);
      primeCategories(
        context,
        rows.flatMap(({ product, category, parent }) => [
          [product.categoryId, category] as const,
          ...(category?.parentId ? [[category.parentId, parent] as const] : []),
        ]),
      );
      return rows.map(({ product }) => fromRow(product));
    },
    searchProducts: async (_: unknown, args: { query: string; limit?: number; minPosition?: string }, context: GraphQLContext, info: GraphQLResolveInfo) => {
      const { limit } = page(args);
      const pattern = searchPattern(args.query);
      await awaitReadModel(context, info, "products", args.minPosition);
      const rows = await searchProducts(readDb(await context.db.get()), pattern, limit);
      return rows.map(fromRow);
    },
  },
  Mutation: {
    createProduct: (
      _: unknown,
      { input }: Args<{ name: string; description?: string | null; categoryId: string; price: string; stockQuantity: number }>,
      context: GraphQLContext,
    ) => {
      const id = newAggregateId("createProduct", commandOptions(context));
      return execute(context, id, { type: "createProduct", data: { ...input, id } });
    },
    updateProduct: (_: unknown, { input }: Args<{ id: string; name?: string | null; description?: string | null; categoryId?: string | null }>, context: GraphQLContext) => {
      const id = idArgument(input.id);
      return execute(context, id, { type: "updateProduct", data: { ...input, id } });
    },
    changeProductPrice: (_: unknown, { input }: Args<{ id: string; price: string }>, context: GraphQLContext) => {
      const id = idArgument(input.id);
      return execute(context, id, { type: "changeProductPrice", data: { id, price: input.price } });
    },
    updateStock: (_: unknown, { input }: Args<{ id: string; quantity: number }>, context: GraphQLContext) => {
      const id = idArgument(input.id);
      return execute(context, id, { type: "updateStock", data: { id, quantity: input.quantity } });
    },
    deleteProduct: (_: unknown, { input }: Args<{ id: string }>, context: GraphQLContext) => {
      const id = idArgument(input.id);
      return execute(context, id, { type: "deleteProduct", data: { id } });
    },
  },
  Product: {
    category: async (product: ProductResult, _: unknown, context: GraphQLContext, info: GraphQLResolveInfo) => {
      await awaitReadModel(context, info, "categories");
      return findCategory(context, product.categoryId);
    },
    createdAt: (product: ProductResult, _: unknown, context: GraphQLContext) => product.createdAt ?? eventTime(context, product.id, 1),
    updatedAt: (product: ProductResult, _: unknown, context: GraphQLContext) => product.updatedAt ?? eventTime(context, product.id, product.version),
  },
};
