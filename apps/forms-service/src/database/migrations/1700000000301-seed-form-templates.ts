import type { MigrationInterface, QueryRunner } from 'typeorm';

type Config = Record<string, unknown> | null;
interface Seed {
  name: string;
  category: string;
  description: string;
  /** `fieldName:type`, in order. */
  fields: string[];
  config: Config;
}

const OPTIONS: Record<string, string[]> = {
  question_1: ['paris', 'london', 'berlin', 'madrid'],
  question_2: ['3', '4', '5', '6'],
  question_3: ['venus', 'mercury', 'mars', 'earth'],
  q1_history: ['washington', 'lincoln', 'jefferson'],
  q1_science: ['h2o', 'co2', 'o2'],
  q1_geography: ['atlantic', 'pacific', 'indian'],
  q1_basic: ['10', '12', '14'],
  q2_intermediate: ['40', '45', '50'],
  q3_advanced: ['10', '12', '16'],
};
const label = (name: string) => name.replace(/_/g, ' ').replace(/\b\w/g, (c) => c.toUpperCase());

/** forms-api's main template seed (030_seed_form_templates.ts, forms-extras.md 1.8 A): 22 templates, field ids = field names. */
const SEEDS: Seed[] = [
  {
    name: 'Product Order Form',
    category: 'ecommerce',
    description: 'Order products with quantity and shipping details',
    fields: ['product_name:select', 'quantity:number', 'customer_name:text', 'customer_email:email', 'shipping_address:textarea'],
    config: { type: 'inventory', stockField: 'product_name', quantityField: 'quantity' },
  },
  {
    name: 'Inventory Tracking Form',
    category: 'ecommerce',
    description: 'Track stock levels and reorder points',
    fields: ['product_sku:text', 'product_name:text', 'current_stock:number', 'reorder_level:number', 'supplier_name:text'],
    config: { type: 'inventory', stockField: 'product_sku', quantityField: 'current_stock' },
  },
  {
    name: 'Product Catalog Entry',
    category: 'ecommerce',
    description: 'Add a product to the catalog',
    fields: ['product_name:text', 'category:select', 'price:number', 'description:textarea'],
    config: { type: 'inventory', stockField: 'product_name', quantityField: 'stock_quantity' },
  },
  {
    name: 'Wholesale Order Form',
    category: 'ecommerce',
    description: 'Bulk orders for business customers',
    fields: ['company_name:text', 'product_selection:select', 'quantity_units:number', 'delivery_date:date'],
    config: { type: 'inventory', stockField: 'product_selection', quantityField: 'quantity_units' },
  },
  {
    name: 'Appointment Booking Form',
    category: 'services',
    description: 'Book an appointment',
    fields: ['service_type:select', 'preferred_date:date', 'client_name:text', 'client_email:email', 'special_requests:textarea'],
    config: { type: 'appointment', timeSlotField: 'preferred_time', dateField: 'preferred_date', maxBookingsPerSlot: 1 },
  },
  {
    name: 'Service Request Form',
    category: 'services',
    description: 'Request a service',
    fields: ['request_type:select', 'priority:radio', 'description:textarea', 'contact_name:text', 'contact_phone:text'],
    config: null,
  },
  {
    name: 'Consultation Booking',
    category: 'services',
    description: 'Book a consultation slot',
    fields: ['consultation_type:select', 'preferred_date:date', 'time_slot:select', 'client_name:text', 'client_email:email'],
    config: { type: 'appointment', timeSlotField: 'time_slot', dateField: 'preferred_date', maxBookingsPerSlot: 3 },
  },
  {
    name: 'Equipment Rental Form',
    category: 'services',
    description: 'Rent equipment for a period',
    fields: ['equipment_type:select', 'rental_start_date:date', 'rental_end_date:date', 'renter_name:text'],
    config: null,
  },
  {
    name: 'Customer Survey Form',
    category: 'data_collection',
    description: 'Measure customer satisfaction',
    fields: ['customer_name:text', 'overall_satisfaction:radio', 'product_quality:number', 'customer_service:number', 'feedback:textarea'],
    config: null,
  },
  {
    name: 'Contact Form',
    category: 'data_collection',
    description: 'A simple contact form',
    fields: ['contact_name:text', 'contact_email:email', 'subject:text', 'message:textarea'],
    config: null,
  },
  {
    name: 'Registration Form',
    category: 'data_collection',
    description: 'Register for an account or programme',
    fields: ['full_name:text', 'email:email', 'phone:text', 'country:select'],
    config: null,
  },
  {
    name: 'Event RSVP Form',
    category: 'events',
    description: 'Collect RSVPs for an event',
    fields: ['attendee_name:text', 'attendee_email:email', 'attendance:radio', 'guest_count:number', 'meal_preference:select'],
    config: null,
  },
  {
    name: 'Event Registration Form',
    category: 'events',
    description: 'Register attendees for an event',
    fields: ['registrant_name:text', 'registrant_email:email', 'event_date:date', 'ticket_type:select'],
    config: null,
  },
  {
    name: 'Conference Workshop Registration',
    category: 'events',
    description: 'Choose a workshop session',
    fields: ['participant_name:text', 'participant_email:email', 'workshop_session:select', 'experience_level:radio'],
    config: null,
  },
  {
    name: 'Knowledge Assessment Quiz',
    category: 'quiz',
    description: 'Test general knowledge',
    fields: ['participant_name:text', 'question_1:radio', 'question_2:radio', 'question_3:radio'],
    config: {
      type: 'quiz',
      scoringRules: [
        { fieldId: 'question_1', correctAnswer: 'paris', points: 1 },
        { fieldId: 'question_2', correctAnswer: '4', points: 1 },
        { fieldId: 'question_3', correctAnswer: 'mercury', points: 1 },
      ],
      passingScore: 60,
      showResults: true,
    },
  },
  {
    name: 'Personality Quiz',
    category: 'quiz',
    description: 'Discover your personality type',
    fields: ['participant_name:text', 'q1_social:radio', 'q2_planning:radio', 'q3_decision:radio'],
    config: {
      type: 'quiz',
      scoringRules: [
        { fieldId: 'q1_social', correctAnswer: 'a', points: 1 },
        { fieldId: 'q2_planning', correctAnswer: 'a', points: 1 },
        { fieldId: 'q3_decision', correctAnswer: 'a', points: 1 },
      ],
      passingScore: 50,
      showResults: true,
    },
  },
  {
    name: 'Trivia Quiz',
    category: 'quiz',
    description: 'A quick trivia challenge',
    fields: ['player_name:text', 'q1_history:radio', 'q1_science:radio', 'q1_geography:radio'],
    config: {
      type: 'quiz',
      scoringRules: [
        { fieldId: 'q1_history', correctAnswer: 'washington', points: 1 },
        { fieldId: 'q1_science', correctAnswer: 'h2o', points: 1 },
        { fieldId: 'q1_geography', correctAnswer: 'pacific', points: 1 },
      ],
      passingScore: 67,
      showResults: true,
    },
  },
  {
    name: 'Math Skills Assessment',
    category: 'quiz',
    description: 'Assess maths skills',
    fields: ['student_name:text', 'q1_basic:radio', 'q2_intermediate:radio', 'q3_advanced:radio'],
    config: {
      type: 'quiz',
      scoringRules: [
        { fieldId: 'q1_basic', correctAnswer: '12', points: 1 },
        { fieldId: 'q2_intermediate', correctAnswer: '45', points: 2 },
        { fieldId: 'q3_advanced', correctAnswer: '12', points: 3 },
      ],
      passingScore: 70,
      showResults: true,
    },
  },
  {
    name: 'Opinion Poll',
    category: 'polls',
    description: 'Ask for an opinion',
    fields: ['poll_question:radio', 'reason:textarea'],
    config: { type: 'poll', voteField: 'poll_question', preventDuplicates: true, showResultsAfterVote: true, trackingMethod: 'session' },
  },
  {
    name: 'Voting Form',
    category: 'polls',
    description: 'Cast a vote for a candidate',
    fields: ['voter_id:text', 'candidate_selection:radio', 'verification:checkbox'],
    config: {
      type: 'poll',
      voteField: 'candidate_selection',
      preventDuplicates: true,
      showResultsAfterVote: false,
      trackingMethod: 'session',
    },
  },
  {
    name: 'Product Feedback Poll',
    category: 'polls',
    description: 'Quick product satisfaction poll',
    fields: ['satisfaction:radio', 'recommend:radio'],
    config: { type: 'poll', voteField: 'satisfaction', preventDuplicates: true, showResultsAfterVote: true, trackingMethod: 'session' },
  },
  {
    name: 'Feature Priority Poll',
    category: 'polls',
    description: 'Vote on the next feature',
    fields: ['top_priority:radio', 'importance:radio'],
    config: { type: 'poll', voteField: 'top_priority', preventDuplicates: true, showResultsAfterVote: true, trackingMethod: 'session' },
  },
];

function templateSchema(seed: Seed): Record<string, unknown> {
  const fields = seed.fields.map((spec, order) => {
    const [fieldName, type] = spec.split(':');
    const field: Record<string, unknown> = { id: fieldName, type, fieldName, label: label(fieldName), required: order < 2, order };
    if (type === 'select' || type === 'radio' || type === 'checkbox') {
      field.options = (OPTIONS[fieldName] ?? ['option_1', 'option_2', 'option_3']).map((value) => ({ label: label(value), value }));
    }
    return field;
  });
  return {
    category: seed.category,
    fields,
    settings: {
      layout: { columns: 1, spacing: 'medium' },
      submission: { showSuccessMessage: true, successMessage: 'Thank you for your submission!', allowMultipleSubmissions: true },
      templateCategory: seed.category,
    },
  };
}

/** The default templates (skipped by name when they exist, so an admin's edits survive). */
export class SeedFormTemplates1700000000301 implements MigrationInterface {
  name = 'SeedFormTemplates1700000000301';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const seed of SEEDS) {
      await queryRunner.query(
        `INSERT INTO form_templates (name, description, category, template_schema, business_logic_config) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING`,
        [
          seed.name,
          seed.description,
          seed.category,
          JSON.stringify(templateSchema(seed)),
          seed.config === null ? null : JSON.stringify(seed.config),
        ],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM form_templates WHERE name = ANY($1) AND created_by IS NULL`, [SEEDS.map((seed) => seed.name)]);
  }
}

export const DEFAULT_TEMPLATE_COUNT = SEEDS.length;
