import type { GraphQLResolveInfo } from "graphql";
import { newAggregateId } from "../../commands/command-bus.ts";
import type { CategoryView } from "../../commands/category-write-model.ts";
import type { CategoryCommand } from "../../domain/category/category.ts";
import { readDb } from "../../db/read-db.ts";
import { listCategories, listCategoriesWithChildren, searchCategories, type CategoryRow } from "../../projections/category-queries.ts";
import { MAX_LIMIT, idArgument, page, searchPattern } from "../arguments.ts";
import { commandOptions, runCommand, type GraphQLContext } from "../context.ts";
import { awaitReadModel } from "../read-your-writes.ts";
import { eventTime } from "./event-times.ts";
import { loaders, primeChildren } from "../loaders.ts";
import { selectsField } from "../selection.ts";

export const categoryTypeDefs = /* GraphQL */ `
  type Category {
    id: ID!
    name: String!
    description: String
    parentId: ID
    parent: Category
    "Active subcategories, the first 100 by name."
    children: [Category!]!
    "False once deleted (deletes are soft)."
    active: Boolean!
    version: Int!
    createdAt: String!
    updatedAt: String!
  }

  input CreateCategoryInput {
    name: String!
    description: String
    parentId: ID
  }

  input UpdateCategoryInput {
    id: ID!
    name: String
    description: String
    "null makes the category a root."
    parentId: ID
  }

  input DeleteCategoryInput {
    id: ID!
  }

  extend type Query {
    category(id: ID!, minPosition: String): Category
    categories(parentId: ID, includeDeleted: Boolean = false, limit: Int = 20, offset: Int = 0, minPosition: String): [Category!]!
    "Active categories whose name or description contains the query (case-insensitive)."
    searchCategories(query: String!, limit: Int = 20, minPosition: String): [Category!]!
  }

  extend type Mutation {
    createCategory(input: CreateCategoryInput!): Category!
    updateCategory(input: UpdateCategoryInput!): Category!
    deleteCategory(input: DeleteCategoryInput!): Category!
  }
`;

/** A category as GraphQL returns it: from the read model, or a command's view. */
type CategoryResult = CategoryView & { createdAt?: string; updatedAt?: string };

function fromRow(row: CategoryRow): CategoryResult {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

async function execute(context: GraphQLContext, id: string, command: CategoryCommand): Promise<CategoryResult> {
  return (await runCommand(context, "category", id, command)).view as CategoryView;
}

export async function findCategory(context: GraphQLContext, id: string): Promise<CategoryResult | null> {
  const row = await loaders(context).categoryById.load(id);
  return row ? fromRow(row) : null;
}

export const categoryResolvers = {
  Query: {
    category: async (_: unknown, args: { id: string; minPosition?: string }, context: GraphQLContext, info: GraphQLResolveInfo) => {
      const id = idArgument(args.id);
      await awaitReadModel(context, info, "categories", args.minPosition);
      return findCategory(context, id);
    },
    categories: async (
      _: unknown,
      args: { parentId?: string | null; includeDeleted?: boolean; limit?: number; offset?: number; minPosition?: string },
      context: GraphQLContext,
      info: GraphQLResolveInfo,
    ) => {
      const { limit, offset } = page(args);
      const parentId = args.parentId ? idArgument(args.parentId, "parentId") : undefined;
      await awaitReadModel(context, info, "categories", args.minPosition);
      const db = readDb(await context.db.get());
      const filter = { parentId, includeDeleted: args.includeDeleted ?? false, limit, offset };
      if (!selectsField(info, "children")) return (await listCategories(db, filter)).map(fromRow);
      const listed = await listCategoriesWithChildren(db, filter);
      primeChildren(context, listed.childrenOf);
      return listed.page.map(fromRow);
    },
    searchCategories: async (_: unknown, args: { query: string; limit?: number; minPosition?: string }, context: GraphQLContext, info: GraphQLResolveInfo) => {
      const { limit } = page(args);
      const pattern = searchPattern(args.query);
      await awaitReadModel(context, info, "categories", args.minPosition);
      const rows = await searchCategories(readDb(await context.db.get()), pattern, limit);
      return rows.map(fromRow);
    },
  },
  Mutation: {
    createCategory: (_: unknown, { input }: { input: { name: string; description?: string | null; parentId?: string | null } }, context: GraphQLContext) => {
      const id = newAggregateId("createCategory", commandOptions(context));
      return execute(context, id, { type: "createCategory", data: { id, ...input } });
    },
    updateCategory: (
      _: unknown,
      { input }: { input: { id: string; name?: string | null; description?: string | null; parentId?: string | null } },
      context: GraphQLContext,
    ) => {
      const id = idArgument(input.id);
      return execute(context, id, { type: "updateCategory", data: { ...input, id } });
    },
    deleteCategory: (_: unknown, { input }: { input: { id: string } }, context: GraphQLContext) => {
      const id = idArgument(input.id);
      return execute(context, id, { type: "deleteCategory", data: { id } });
    },
  },
  Category: {
    parent: async (category: CategoryResult, _: unknown, context: GraphQLContext, info: GraphQLResolveInfo) => {
      if (!category.parentId) return null;
      await awaitReadModel(context, info, "categories");
      return findCategory(context, category.parentId);
    },
    children: async (category: CategoryResult, _: unknown, context: GraphQLContext, info: GraphQLResolveInfo) => {
      await awaitReadModel(context, info, "categories");
      // Bounded like every list, so no answer grows with the data.
      return (await loaders(context).activeChildrenOf.load(category.id)).slice(0, MAX_LIMIT).map(fromRow);
    },
    createdAt: (category: CategoryResult, _: unknown, context: GraphQLContext) => category.createdAt ?? eventTime(context, category.id, 1),
    updatedAt: (category: CategoryResult, _: unknown, context: GraphQLContext) =>
      category.updatedAt ?? eventTime(context, category.id, category.version),
  },
};
